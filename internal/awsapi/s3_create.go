package awsapi

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// LifecycleRuleID names the one lifecycle rule the provider writes, so a read can find it among others.
const LifecycleRuleID = "gdpr-storage-limitation"

// BucketStep is one call of the bucket's setup, named by its IAM action for error messages.
type BucketStep struct {
	Action string
	run    func(ctx context.Context) error
}

// Run performs the step.
func (s BucketStep) Run(ctx context.Context) error { return s.run(ctx) }

// CreateBucket creates the bucket in the client's region, with Object Lock when asked and ACLs disabled:
// S3 applies the BucketOwnerEnforced ownership given here as part of the create, so no ownership call follows.
func (c *Clients) CreateBucket(ctx context.Context, name string, objectLock bool) error {
	in := &s3.CreateBucketInput{
		Bucket:                     aws.String(name),
		ObjectLockEnabledForBucket: aws.Bool(objectLock),
		ObjectOwnership:            s3types.ObjectOwnershipBucketOwnerEnforced,
	}
	// us-east-1 is the one region S3 refuses to be named as a location constraint.
	if c.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(c.Region),
		}
	}
	ctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return err
	}
	defer cancel()
	_, err = c.s3.createBucket(ctx, in)
	return err
}

// BucketSetup returns the calls that turn a new bucket into one that keeps every guarantee, in order: one
// PUT per setting CreateBucket does not already make. Versioning comes first because lifecycle rules for
// noncurrent versions and Object Lock rely on it.
func (c *Clients) BucketSetup(in BucketInput) []BucketStep {
	name := aws.String(in.Name)
	steps := []BucketStep{
		{"s3:PutBucketVersioning", func(ctx context.Context) error {
			_, err := c.s3.putBucketVersioning(ctx, &s3.PutBucketVersioningInput{
				Bucket:                  name,
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
			})
			return err
		}},
		{"s3:PutBucketPublicAccessBlock", func(ctx context.Context) error {
			_, err := c.s3.putPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
				Bucket: name,
				PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
					BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true),
					IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true),
				},
			})
			return err
		}},
		{"s3:PutEncryptionConfiguration", func(ctx context.Context) error {
			_, err := c.s3.putBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
				Bucket: name,
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
		}},
		{"s3:PutLifecycleConfiguration", func(ctx context.Context) error {
			_, err := c.s3.putBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
				Bucket:                 name,
				LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{lifecycleRule(in.ExpirationDays)}},
			})
			return err
		}},
	}
	if in.ObjectLock != nil {
		lock := *in.ObjectLock
		steps = append(steps, BucketStep{"s3:PutBucketObjectLockConfiguration", func(ctx context.Context) error {
			_, err := c.s3.putObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{
				Bucket: name,
				ObjectLockConfiguration: &s3types.ObjectLockConfiguration{
					ObjectLockEnabled: s3types.ObjectLockEnabledEnabled,
					Rule: &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{
						Mode: s3types.ObjectLockRetentionMode(lock.Mode),
						Days: aws.Int32(lock.Days),
					}},
				},
			})
			return err
		}})
	}
	steps = append(steps, BucketStep{"s3:PutBucketPolicy", func(ctx context.Context) error {
		_, err := c.s3.putBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: name, Policy: aws.String(TLSOnlyPolicy(in.Name, c.Region))})
		return err
	}})
	if len(in.Tags) > 0 {
		steps = append(steps, BucketStep{"s3:PutBucketTagging", func(ctx context.Context) error {
			_, err := c.s3.putBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: name, Tagging: &s3types.Tagging{TagSet: s3Tags(in.Tags)}})
			return err
		}})
	}
	return steps
}

// Created is the bucket that CreateBucket and every step of BucketSetup leave behind in region: what
// ReadBucket would report right after them. It lets a create skip reading back what it has just written;
// a refresh still reads everything, so later drift is still found.
func (in BucketInput) Created(region string) *Bucket {
	b := &Bucket{
		Name:                    in.Name,
		Region:                  region,
		Versioning:              string(s3types.BucketVersioningStatusEnabled),
		EncryptionAlgorithm:     string(s3types.ServerSideEncryptionAwsKms),
		KMSKeyID:                in.KMSKeyARN,
		BucketKeyEnabled:        true,
		ExpirationDays:          aws.Int32(in.ExpirationDays),
		NoncurrentExpireDays:    aws.Int32(1),
		AbortMultipartAfterDays: aws.Int32(1),
		ObjectLockEnabled:       in.ObjectLock != nil,
		PublicAccessBlocked:     true,
		Ownership:               string(s3types.ObjectOwnershipBucketOwnerEnforced),
		Policy:                  TLSOnlyPolicy(in.Name, region),
		Tags:                    maps.Clone(in.Tags),
	}
	if in.ObjectLock != nil {
		lock := *in.ObjectLock
		b.ObjectLock = &lock
	}
	if b.Tags == nil {
		b.Tags = map[string]string{}
	}
	return b
}

func lifecycleRule(expirationDays int32) s3types.LifecycleRule {
	return s3types.LifecycleRule{
		ID:                             aws.String(LifecycleRuleID),
		Status:                         s3types.ExpirationStatusEnabled,
		Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
		Expiration:                     &s3types.LifecycleExpiration{Days: aws.Int32(expirationDays)},
		NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)},
		AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)},
	}
}

// TLSOnlyPolicy is the bucket policy the provider enforces: every request without TLS is denied.
func TLSOnlyPolicy(bucket, region string) string {
	arn := BucketARN(bucket, region)
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny",`+
		`"Principal":"*","Action":"s3:*","Resource":["%[1]s","%[1]s/*"],`+
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, arn)
}
