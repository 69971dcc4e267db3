package awsapi

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// missing reports whether err says a bucket sub-resource (encryption, lifecycle, policy, ...) is not set.
func missing(err error) bool {
	switch code(err) {
	case "ServerSideEncryptionConfigurationNotFoundError", "NoSuchLifecycleConfiguration", "NoSuchBucketPolicy",
		"NoSuchTagSet", "ObjectLockConfigurationNotFoundError", "NoSuchPublicAccessBlockConfiguration",
		"OwnershipControlsNotFoundError":
		return true
	}
	return false
}

// ReadBucket reads where the bucket is, its arguments and every enforced setting: one GET each, all at once.
// A bucket that does not exist is an error for which IsNotFound is true: S3 answers NoSuchBucket to each of
// those GETs, so no HeadBucket is needed to tell.
func (c *Clients) ReadBucket(ctx context.Context, name string) (*Bucket, error) {
	bucket := aws.String(name)
	b := &Bucket{Name: name, Tags: map[string]string{}}
	// Each read writes only its own fields of b.
	err := concurrently(ctx,
		func(ctx context.Context) error {
			region, err := c.BucketRegion(ctx, name)
			b.Region = region
			return err
		},
		func(ctx context.Context) error {
			ver, err := c.s3.getBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: bucket})
			if err != nil {
				return err
			}
			b.Versioning = string(ver.Status)
			return nil
		},
		func(ctx context.Context) error {
			enc, err := c.s3.getBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucket})
			switch {
			case missing(err):
			case err != nil:
				return err
			case enc.ServerSideEncryptionConfiguration != nil && len(enc.ServerSideEncryptionConfiguration.Rules) > 0:
				rule := enc.ServerSideEncryptionConfiguration.Rules[0]
				if d := rule.ApplyServerSideEncryptionByDefault; d != nil {
					b.EncryptionAlgorithm = string(d.SSEAlgorithm)
					b.KMSKeyID = aws.ToString(d.KMSMasterKeyID)
				}
				b.BucketKeyEnabled = aws.ToBool(rule.BucketKeyEnabled)
			}
			return nil
		},
		func(ctx context.Context) error {
			lc, err := c.s3.getBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
			switch {
			case missing(err):
			case err != nil:
				return err
			default:
				b.readLifecycle(lc.Rules)
			}
			return nil
		},
		func(ctx context.Context) error {
			enabled, lock, err := c.objectLock(ctx, name)
			b.ObjectLockEnabled, b.ObjectLock = enabled, lock
			return err
		},
		func(ctx context.Context) error {
			pab, err := c.s3.getPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})
			switch {
			case missing(err):
			case err != nil:
				return err
			case pab.PublicAccessBlockConfiguration != nil:
				p := pab.PublicAccessBlockConfiguration
				b.PublicAccessBlocked = aws.ToBool(p.BlockPublicAcls) && aws.ToBool(p.BlockPublicPolicy) &&
					aws.ToBool(p.IgnorePublicAcls) && aws.ToBool(p.RestrictPublicBuckets)
			}
			return nil
		},
		func(ctx context.Context) error {
			own, err := c.s3.getBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucket})
			switch {
			case missing(err):
			case err != nil:
				return err
			case own.OwnershipControls != nil && len(own.OwnershipControls.Rules) > 0:
				b.Ownership = string(own.OwnershipControls.Rules[0].ObjectOwnership)
			}
			return nil
		},
		func(ctx context.Context) error {
			pol, err := c.s3.getBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
			switch {
			case missing(err):
			case err != nil:
				return err
			default:
				b.Policy = aws.ToString(pol.Policy)
			}
			return nil
		},
		func(ctx context.Context) error {
			tags, err := c.s3.getBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucket})
			switch {
			case missing(err):
			case err != nil:
				return err
			default:
				for _, t := range tags.TagSet {
					b.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				b.Unfinished = unfinished(b.Tags)
				b.systemTags()
			}
			return nil
		},
	)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// objectLock reads whether a bucket has Object Lock and its default retention, nil without one.
func (c *Clients) objectLock(ctx context.Context, name string) (enabled bool, def *ObjectLock, err error) {
	out, err := c.s3.getObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(name)})
	switch {
	case missing(err):
		return false, nil, nil
	case err != nil:
		return false, nil, err
	case out.ObjectLockConfiguration == nil:
		return false, nil, nil
	}
	cfg := out.ObjectLockConfiguration
	if r := cfg.Rule; r != nil && r.DefaultRetention != nil {
		def = &ObjectLock{Mode: string(r.DefaultRetention.Mode), Days: retentionDays(r.DefaultRetention)}
	}
	return cfg.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled, def, nil
}

// readLifecycle takes the expirations from enabled rules that cover the whole bucket; a rule limited to a
// prefix or tag does not bound the retention of everything else. Of several such rules the soonest
// expiration of current objects and of noncurrent versions each applies, as S3 applies them.
func (b *Bucket) readLifecycle(rules []s3types.LifecycleRule) {
	for _, r := range rules {
		if r.Status != s3types.ExpirationStatusEnabled || !wholeBucket(r) {
			continue
		}
		if r.Expiration != nil && r.Expiration.Days != nil {
			if b.ExpirationDays == nil || *r.Expiration.Days < *b.ExpirationDays {
				b.ExpirationDays = aws.Int32(*r.Expiration.Days)
			}
		}
		if r.NoncurrentVersionExpiration != nil && r.NoncurrentVersionExpiration.NoncurrentDays != nil {
			if days := *r.NoncurrentVersionExpiration.NoncurrentDays; b.NoncurrentExpireDays == nil || days < *b.NoncurrentExpireDays {
				b.NoncurrentExpireDays = aws.Int32(days)
			}
		}
		if r.AbortIncompleteMultipartUpload != nil && r.AbortIncompleteMultipartUpload.DaysAfterInitiation != nil {
			b.AbortMultipartAfterDays = r.AbortIncompleteMultipartUpload.DaysAfterInitiation
		}
	}
}

func wholeBucket(r s3types.LifecycleRule) bool {
	if r.Filter == nil {
		return r.Prefix == nil || aws.ToString(r.Prefix) == "" //nolint:staticcheck // Prefix is how older rules scope themselves.
	}
	f := r.Filter
	return aws.ToString(f.Prefix) == "" && f.Tag == nil && f.And == nil &&
		f.ObjectSizeGreaterThan == nil && f.ObjectSizeLessThan == nil
}

// Retention is what bounds how long a bucket keeps data.
type Retention struct {
	// ExpirationDays is nil when no enabled whole-bucket lifecycle rule expires current objects.
	ExpirationDays *int32
	// NoncurrentDays is how long such a rule keeps a version once it is noncurrent; nil when none expires
	// noncurrent versions.
	NoncurrentDays    *int32
	ObjectLockEnabled bool
	// ObjectLock is the default retention of new versions; nil without one.
	ObjectLock *ObjectLock
}

// BucketRetention reads a bucket's lifecycle expirations and default Object Lock retention, whoever made it,
// with both GETs at once. A bucket that does not exist is an error for which IsNotFound is true.
func (c *Clients) BucketRetention(ctx context.Context, name string) (Retention, error) {
	var r Retention
	err := concurrently(ctx,
		func(ctx context.Context) error {
			lc, err := c.s3.getBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(name)})
			switch {
			case missing(err):
			case err != nil:
				return err
			default:
				var b Bucket
				b.readLifecycle(lc.Rules)
				r.ExpirationDays, r.NoncurrentDays = b.ExpirationDays, b.NoncurrentExpireDays
			}
			return nil
		},
		func(ctx context.Context) error {
			enabled, lock, err := c.objectLock(ctx, name)
			r.ObjectLockEnabled, r.ObjectLock = enabled, lock
			return err
		},
	)
	if err != nil {
		return Retention{}, err
	}
	return r, nil
}

// retentionDays converts a default retention to days; S3 sets either days or years, and a year counts as
// 365 days here, which is how S3 itself computes retain-until dates from a yearly default.
func retentionDays(d *s3types.DefaultRetention) int32 {
	if days := aws.ToInt32(d.Days); days > 0 {
		return days
	}
	return aws.ToInt32(d.Years) * 365
}

// BucketRegion asks S3 where the bucket is. A bucket's name is global, so a bucket of that name may be in
// any region, whatever the client's; only this answer says which.
func (c *Clients) BucketRegion(ctx context.Context, name string) (string, error) {
	out, err := c.s3.getBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	if err != nil {
		return "", err
	}
	return locationRegion(out.LocationConstraint), nil
}

// locationRegion turns a bucket's location constraint into its region: S3 reports us-east-1 as no
// constraint, and the buckets of eu-west-1 created before regions had names as EU.
func locationRegion(c s3types.BucketLocationConstraint) string {
	switch c {
	case "":
		return "us-east-1"
	case s3types.BucketLocationConstraintEu:
		return "eu-west-1"
	}
	return string(c)
}
