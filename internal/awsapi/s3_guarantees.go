package awsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A bucketGuarantee is a setting every bucket the provider makes has, whatever its configuration. Its one
// declaration says how the setting is written, what a new bucket has of it and how a bucket read from S3
// is checked for it, so the three cannot drift apart. Its name is what users see in drift warnings and
// what private state records, so a name never changes.
type bucketGuarantee struct {
	name string
	// create puts the setting into CreateBucket's request; nil when a setup call writes it.
	create func(*s3.CreateBucketInput)
	// action names the setup call that writes the setting by its IAM action, for error messages, and put
	// makes that call; both are unset when CreateBucket writes it.
	action string
	put    func(ctx context.Context, c *Clients, in BucketInput) error
	// needed reports whether in asks for the setup call at all; nil means it always does.
	needed func(BucketInput) bool
	// created sets on b what the write leaves behind, as ReadBucket would report it. b already holds the
	// name, the region and the arguments that are no guarantee (the default retention and the tags).
	created func(in BucketInput, b *Bucket)
	// holds reports whether b, as ReadBucket reports it, has the setting.
	holds func(b *Bucket) bool
}

// bucketGuarantees are the bucket's guarantees in the order Violations reports them.
var bucketGuarantees = []*bucketGuarantee{
	bucketVersioning, bucketEncryption, bucketLifecycle, bucketObjectLock, bucketPublicAccessBlock,
	bucketOwnership, bucketPolicy,
}

// bucketSetupOrder is the order of the setup calls. Versioning comes first because lifecycle rules for
// noncurrent versions and Object Lock rely on it, and public access is blocked before anything else is
// written.
var bucketSetupOrder = []*bucketGuarantee{
	bucketVersioning, bucketPublicAccessBlock, bucketEncryption, bucketLifecycle, bucketObjectLock, bucketPolicy,
}

// Violations names every guarantee the bucket does not have, in a fixed order. The policy is compared with
// TLSOnlyPolicy for b's name and region, so b.Region must be set.
func (b *Bucket) Violations() []string {
	var v []string
	for _, g := range bucketGuarantees {
		if !g.holds(b) {
			v = append(v, g.name)
		}
	}
	return v
}

// Versioning keeps every overwritten or deleted object recoverable until the lifecycle expires it.
var bucketVersioning = &bucketGuarantee{
	name:   "versioning",
	action: "s3:PutBucketVersioning",
	put: func(ctx context.Context, c *Clients, in BucketInput) error {
		_, err := c.s3.putBucketVersioning(ctx, &s3.PutBucketVersioningInput{
			Bucket:                  aws.String(in.Name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
		})
		return err
	},
	created: func(_ BucketInput, b *Bucket) { b.Versioning = string(s3types.BucketVersioningStatusEnabled) },
	holds:   func(b *Bucket) bool { return b.Versioning == string(s3types.BucketVersioningStatusEnabled) },
}

// Encryption is with the configured KMS key, and with bucket keys, which spare a KMS request per object.
var bucketEncryption = &bucketGuarantee{
	name:   "encryption",
	action: "s3:PutEncryptionConfiguration",
	put: func(ctx context.Context, c *Clients, in BucketInput) error {
		_, err := c.s3.putBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
			Bucket: aws.String(in.Name),
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
				Rules: []s3types.ServerSideEncryptionRule{{
					ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
						SSEAlgorithm:   s3types.ServerSideEncryptionAwsKms,
						KMSMasterKeyID: aws.String(in.KMSKeyARN),
					},
					BucketKeyEnabled: aws.Bool(true),
				}},
			},
		})
		return err
	},
	created: func(in BucketInput, b *Bucket) {
		b.EncryptionAlgorithm = string(s3types.ServerSideEncryptionAwsKms)
		b.KMSKeyID = in.KMSKeyARN
		b.BucketKeyEnabled = true
	},
	holds: func(b *Bucket) bool {
		return b.EncryptionAlgorithm == string(s3types.ServerSideEncryptionAwsKms) && b.KMSKeyID != "" && b.BucketKeyEnabled
	},
}

// LifecycleRuleID names the one lifecycle rule the provider writes, so a read can find it among others.
const LifecycleRuleID = "gdpr-storage-limitation"

// The lifecycle rule aborts incomplete multipart uploads after this many days: an upload nobody finished
// within a day is abandoned, and its parts would otherwise be kept without limit.
const abortMultipartDays = 1

// The lifecycle bounds how long the bucket keeps anything: current objects expire after the configured
// days, and a version that is overwritten, deleted or expired goes after the configured noncurrent days,
// never more than the expiration, so no version outlives the bucket's retention by more than that.
var bucketLifecycle = &bucketGuarantee{
	name:   "lifecycle",
	action: "s3:PutLifecycleConfiguration",
	put: func(ctx context.Context, c *Clients, in BucketInput) error {
		_, err := c.s3.putBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
			Bucket:                 aws.String(in.Name),
			LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{lifecycleRule(in)}},
		})
		return err
	},
	created: func(in BucketInput, b *Bucket) {
		b.ExpirationDays = aws.Int32(in.ExpirationDays)
		b.NoncurrentExpireDays = aws.Int32(in.NoncurrentVersionDays)
		b.AbortMultipartAfterDays = aws.Int32(abortMultipartDays)
	},
	// The number of noncurrent days is an argument, compared by the provider; the guarantee is that there is
	// one, and that it does not keep versions longer than the expiration keeps current objects.
	holds: func(b *Bucket) bool {
		return b.ExpirationDays != nil &&
			b.NoncurrentExpireDays != nil && *b.NoncurrentExpireDays >= 1 && *b.NoncurrentExpireDays <= *b.ExpirationDays &&
			b.AbortMultipartAfterDays != nil && *b.AbortMultipartAfterDays == abortMultipartDays
	},
}

func lifecycleRule(in BucketInput) s3types.LifecycleRule {
	return s3types.LifecycleRule{
		ID:                             aws.String(LifecycleRuleID),
		Status:                         s3types.ExpirationStatusEnabled,
		Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
		Expiration:                     &s3types.LifecycleExpiration{Days: aws.Int32(in.ExpirationDays)},
		NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(in.NoncurrentVersionDays)},
		AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(abortMultipartDays)},
	}
}

// A default retention is enforced by Object Lock: a bucket that reports one without Object Lock enabled
// does not hold anything back. The retention itself is an argument, compared by the provider.
var bucketObjectLock = &bucketGuarantee{
	name:   "object_lock",
	action: "s3:PutBucketObjectLockConfiguration",
	needed: func(in BucketInput) bool { return in.ObjectLock != nil },
	put: func(ctx context.Context, c *Clients, in BucketInput) error {
		lock := *in.ObjectLock
		_, err := c.s3.putObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{
			Bucket: aws.String(in.Name),
			ObjectLockConfiguration: &s3types.ObjectLockConfiguration{
				ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
				Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{
					Mode: s3types.ObjectLockRetentionMode(lock.Mode),
					Days: aws.Int32(lock.Days),
				}},
			},
		})
		return err
	},
	created: func(in BucketInput, b *Bucket) { b.ObjectLockEnabled = in.ObjectLock != nil },
	holds:   func(b *Bucket) bool { return b.ObjectLock == nil || b.ObjectLockEnabled },
}

// All four public access settings are on, so no ACL or policy can make an object public.
var bucketPublicAccessBlock = &bucketGuarantee{
	name:   "public_access_block",
	action: "s3:PutBucketPublicAccessBlock",
	put: func(ctx context.Context, c *Clients, in BucketInput) error {
		_, err := c.s3.putPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
			Bucket: aws.String(in.Name),
			PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true),
				IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
			},
		})
		return err
	},
	created: func(_ BucketInput, b *Bucket) { b.PublicAccessBlocked = true },
	holds:   func(b *Bucket) bool { return b.PublicAccessBlocked },
}

// ACLs are disabled, so the bucket owner owns every object and only policies grant access. S3 applies the
// ownership given to CreateBucket as part of the create, so no setup call writes it.
var bucketOwnership = &bucketGuarantee{
	name:    "ownership",
	create:  func(in *s3.CreateBucketInput) { in.ObjectOwnership = s3types.ObjectOwnershipBucketOwnerEnforced },
	created: func(_ BucketInput, b *Bucket) { b.Ownership = string(s3types.ObjectOwnershipBucketOwnerEnforced) },
	holds:   func(b *Bucket) bool { return b.Ownership == string(s3types.ObjectOwnershipBucketOwnerEnforced) },
}

// The policy denies every request without TLS.
var bucketPolicy = &bucketGuarantee{
	name:   "policy",
	action: "s3:PutBucketPolicy",
	put: func(ctx context.Context, c *Clients, in BucketInput) error {
		_, err := c.s3.putBucketPolicy(ctx, &s3.PutBucketPolicyInput{
			Bucket: aws.String(in.Name),
			Policy: aws.String(TLSOnlyPolicy(in.Name, c.Region)),
		})
		return err
	},
	created: func(_ BucketInput, b *Bucket) { b.Policy = TLSOnlyPolicy(b.Name, b.Region) },
	holds:   func(b *Bucket) bool { return sameJSON(TLSOnlyPolicy(b.Name, b.Region), b.Policy) },
}

// TLSOnlyPolicy is the bucket policy the provider enforces: every request without TLS is denied.
func TLSOnlyPolicy(bucket, region string) string {
	arn := BucketARN(bucket, region)
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny",`+
		`"Principal":"*","Action":"s3:*","Resource":["%[1]s","%[1]s/*"],`+
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, arn)
}

// sameJSON reports whether two JSON documents mean the same, whatever their whitespace and key order. S3
// returns a policy reformatted, so text comparison would report drift that is not there. It compares as
// jsontypes.Normalized does, which the provider uses for the JSON users write: the first value of each
// document, with numbers kept as written. A document that is not JSON, such as an empty policy, is
// never the same.
func sameJSON(a, b string) bool {
	decode := func(s string) (any, error) {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		err := dec.Decode(&v)
		return v, err
	}
	va, errA := decode(a)
	vb, errB := decode(b)
	return errA == nil && errB == nil && reflect.DeepEqual(va, vb)
}
