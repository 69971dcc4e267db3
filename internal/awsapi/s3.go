package awsapi

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// ObjectLock is a bucket's default retention.
type ObjectLock struct {
	Mode string // GOVERNANCE or COMPLIANCE
	Days int32
}

// BucketInput is what the provider asks for when it creates a bucket.
type BucketInput struct {
	Name           string
	KMSKeyARN      string
	ExpirationDays int32
	// NoncurrentVersionDays is how long a version is kept after it is overwritten or deleted: the window in
	// which a restore can return it. A fingerprint leaves it out when it is 0.
	NoncurrentVersionDays int32 `json:",omitempty"`
	ObjectLock            *ObjectLock
	Tags                  map[string]string
	// AwaitsData marks the bucket as made to receive the objects of the bucket it replaces (see
	// MovedFromTag), so that a move whose start was lost can be found again.
	AwaitsData bool
	// Replaces names, on a bucket that AwaitsData, the bucket whose objects it receives, as ReplacedBucket
	// found it; "" when the create could not tell.
	Replaces string
}

// Bucket is a bucket as the provider sees it: its arguments and every setting the provider enforces.
type Bucket struct {
	Name   string
	Region string

	Versioning string // Enabled, Suspended, or empty when never enabled

	EncryptionAlgorithm string // aws:kms, AES256, ...
	KMSKeyID            string
	BucketKeyEnabled    bool

	// ExpirationDays is nil when no enabled rule of the whole bucket expires current objects.
	ExpirationDays          *int32
	NoncurrentExpireDays    *int32
	AbortMultipartAfterDays *int32

	ObjectLockEnabled bool
	ObjectLock        *ObjectLock

	PublicAccessBlocked bool // all four settings on
	Ownership           string
	Policy              string
	Tags                map[string]string

	// Unfinished is the fingerprint of the create that made the bucket and has not finished it (see
	// CreatingTag), "" for a finished bucket.
	Unfinished string

	// MovedFrom is what moved into the bucket from the bucket it replaced, nil when nothing did; MovingTo
	// names the bucket its own objects are moving to, "" when they are not (see MovedFromTag).
	MovedFrom *Moved
	MovingTo  string
	// AwaitsData says the bucket was made to receive the objects of a bucket it replaces and none have
	// arrived yet.
	AwaitsData bool
}

// BucketARN returns the ARN of a bucket in the partition of its region.
func BucketARN(name, region string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", partition(region), name)
}

func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

func s3Tags(tags map[string]string) []s3types.Tag {
	return tagList(tags, func(k, v string) s3types.Tag {
		return s3types.Tag{Key: aws.String(k), Value: aws.String(v)}
	})
}
