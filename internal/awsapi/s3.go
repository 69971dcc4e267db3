package awsapi

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// LifecycleRuleID names the one lifecycle rule the provider writes, so a read can find it among others.
const LifecycleRuleID = "gdpr-storage-limitation"

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
	ObjectLock     *ObjectLock
	Tags           map[string]string
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
}

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

func s3Tags(tags map[string]string) []s3types.Tag {
	return tagList(tags, func(k, v string) s3types.Tag {
		return s3types.Tag{Key: aws.String(k), Value: aws.String(v)}
	})
}

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

// ReadBucket reads the bucket's arguments and every enforced setting: one GET per setting, all at once. A
// bucket that does not exist is an error for which IsNotFound is true: S3 answers NoSuchBucket to each of
// those GETs, so no HeadBucket is needed to tell.
func (c *Clients) ReadBucket(ctx context.Context, name string) (*Bucket, error) {
	bucket := aws.String(name)
	b := &Bucket{Name: name, Tags: map[string]string{}}
	// Each read writes only its own fields of b.
	err := concurrently(ctx,
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

// readLifecycle takes the expiration from enabled rules that cover the whole bucket; a rule limited to a
// prefix or tag does not bound the retention of everything else.
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
			b.NoncurrentExpireDays = r.NoncurrentVersionExpiration.NoncurrentDays
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

// BucketContents counts the object versions and delete markers on the first page of a listing: enough to
// tell a user a bucket is not empty, and roughly how full it is.
func (c *Clients) BucketContents(ctx context.Context, name string) (count int, more bool, err error) {
	out, err := c.s3.listObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(name)})
	if err != nil {
		return 0, false, err
	}
	return len(out.Versions) + len(out.DeleteMarkers), aws.ToBool(out.IsTruncated), nil
}

// RetainedError says that objects are under retention S3 will not lift: COMPLIANCE mode or a legal hold.
type RetainedError struct {
	Objects     int
	Until       time.Time // the latest retain-until date among them; zero for legal holds alone
	LegalHolds  int
	FirstObject string
}

func (e *RetainedError) Error() string {
	msg := fmt.Sprintf("%d object version(s), such as %q, are under retention that S3 does not allow to be lifted", e.Objects+e.LegalHolds, e.FirstObject)
	if !e.Until.IsZero() {
		msg += fmt.Sprintf(" (COMPLIANCE mode until %s)", e.Until.UTC().Format(time.RFC3339))
	}
	if e.LegalHolds > 0 {
		msg += fmt.Sprintf("; %d under a legal hold", e.LegalHolds)
	}
	return msg
}

// EmptyBucket deletes every object version and delete marker, in batches of up to 1000. When the bucket has
// Object Lock it first checks every version and deletes nothing when any is under COMPLIANCE retention or a
// legal hold that has not expired, because S3 would refuse those deletes half-way and the rest would be
// lost for nothing. GOVERNANCE retention is bypassed: force_destroy is the owner's explicit consent.
func (c *Clients) EmptyBucket(ctx context.Context, name string, now time.Time) (deleted int, err error) {
	bucket := aws.String(name)
	r, err := c.BucketRetention(ctx, name)
	if err != nil {
		return 0, err
	}
	if r.ObjectLockEnabled {
		def := ObjectLock{}
		if r.ObjectLock != nil {
			def = *r.ObjectLock
		}
		if err := c.checkRetention(ctx, name, def, now); err != nil {
			return 0, err
		}
	}
	pages := s3.NewListObjectVersionsPaginator(c.s3.listObjectVersions, &s3.ListObjectVersionsInput{Bucket: bucket})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return deleted, fmt.Errorf("s3:ListBucketVersions: %w", err)
		}
		var ids []s3types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		for start := 0; start < len(ids); start += 1000 {
			batch := ids[start:min(start+1000, len(ids))]
			out, err := c.s3.deleteObjects(ctx, &s3.DeleteObjectsInput{
				Bucket:                    bucket,
				Delete:                    &s3types.Delete{Objects: batch, Quiet: aws.Bool(true)},
				BypassGovernanceRetention: aws.Bool(r.ObjectLockEnabled),
			})
			if err != nil {
				return deleted, fmt.Errorf("s3:DeleteObjectVersion: %w", err)
			}
			if len(out.Errors) > 0 {
				e := out.Errors[0]
				return deleted, fmt.Errorf("s3:DeleteObjectVersion: %d of %d deletes failed, first %q: %s %s",
					len(out.Errors), len(batch), aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
			}
			deleted += len(batch)
		}
	}
	return deleted, nil
}

// checkRetention finds, among all the bucket's versions, those S3 will not delete.
func (c *Clients) checkRetention(ctx context.Context, name string, def ObjectLock, now time.Time) error {
	var retained RetainedError
	pages := s3.NewListObjectVersionsPaginator(c.s3.listObjectVersions, &s3.ListObjectVersionsInput{Bucket: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		if err := c.retained(ctx, name, page.Versions, def, now, -1, &retained); err != nil {
			return err
		}
	}
	if retained.Objects > 0 || retained.LegalHolds > 0 {
		return &retained
	}
	return nil
}

// retained adds to r the versions S3 will not delete: under COMPLIANCE retention or a legal hold that has
// not expired. A version without a retention of its own is taken to carry the bucket's default, counted
// from when it was written: that is how S3 applies it, and it keeps the check safe where a service does
// not report default retention on each version. At most lookups versions are asked about their own
// retention and legal hold (negative: all of them).
func (c *Clients) retained(ctx context.Context, name string, versions []s3types.ObjectVersion, def ObjectLock, now time.Time, lookups int, r *RetainedError) error {
	bucket := aws.String(name)
	hold := func(key string, until time.Time) {
		r.Objects++
		if until.After(r.Until) {
			r.Until = until
		}
		if r.FirstObject == "" {
			r.FirstObject = key
		}
	}
	for i, v := range versions {
		key := aws.ToString(v.Key)
		var own *s3types.ObjectLockRetention
		if lookups < 0 || i < lookups {
			ret, err := c.s3.getObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: bucket, Key: v.Key, VersionId: v.VersionId})
			if err != nil && !isNoRetention(err) {
				return err
			}
			if err == nil {
				own = ret.Retention
			}
			lh, err := c.s3.getObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: bucket, Key: v.Key, VersionId: v.VersionId})
			if err != nil && !isNoRetention(err) {
				return err
			}
			if err == nil && lh.LegalHold != nil && lh.LegalHold.Status == s3types.ObjectLockLegalHoldStatusOn {
				r.LegalHolds++
				if r.FirstObject == "" {
					r.FirstObject = key
				}
			}
		}
		switch {
		case own != nil && own.RetainUntilDate != nil:
			if own.Mode == s3types.ObjectLockRetentionModeCompliance && own.RetainUntilDate.After(now) {
				hold(key, *own.RetainUntilDate)
			}
		case def.Mode == string(s3types.ObjectLockRetentionModeCompliance) && v.LastModified != nil:
			if until := v.LastModified.Add(time.Duration(def.Days) * 24 * time.Hour); until.After(now) {
				hold(key, until)
			}
		}
	}
	return nil
}

// DestroyCheck is what a plan needs to know before destroying a bucket.
type DestroyCheck struct {
	// Versions counts the object versions and delete markers on the first page of a listing.
	Versions int
	// More says the listing has further pages.
	More bool
	// Retained is set when some version is under retention S3 will not lift.
	Retained *RetainedError
}

// planLookups bounds the per-version retention lookups a plan makes, so a plan stays cheap; the destroy
// itself checks every version before deleting anything.
const planLookups = 50

// CheckDestroy looks at a bucket the way a plan can afford: one listing, and for a bucket with Object Lock
// its configuration and the retention of the first versions.
func (c *Clients) CheckDestroy(ctx context.Context, name string, now time.Time) (DestroyCheck, error) {
	var d DestroyCheck
	out, err := c.s3.listObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(name)})
	if err != nil {
		return d, err
	}
	d.Versions, d.More = len(out.Versions)+len(out.DeleteMarkers), aws.ToBool(out.IsTruncated)
	if d.Versions == 0 {
		return d, nil
	}
	enabled, lock, err := c.objectLock(ctx, name)
	if err != nil || !enabled {
		return d, err
	}
	def := ObjectLock{}
	if lock != nil {
		def = *lock
	}
	var r RetainedError
	if err := c.retained(ctx, name, out.Versions, def, now, planLookups, &r); err != nil {
		return d, err
	}
	if r.Objects > 0 || r.LegalHolds > 0 {
		d.Retained = &r
	}
	return d, nil
}

// isNoRetention reports whether err says an object has no retention or legal hold configured.
func isNoRetention(err error) bool {
	switch code(err) {
	case "NoSuchObjectLockConfiguration", "ObjectLockConfigurationNotFoundError":
		return true
	}
	return false
}

// DeleteBucket deletes an empty bucket.
func (c *Clients) DeleteBucket(ctx context.Context, name string) error {
	_, err := c.s3.deleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	return err
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

// Retention is what bounds how long a bucket keeps data.
type Retention struct {
	// ExpirationDays is nil when no enabled whole-bucket lifecycle rule expires current objects.
	ExpirationDays    *int32
	ObjectLockEnabled bool
	// ObjectLock is the default retention of new versions; nil without one.
	ObjectLock *ObjectLock
}

// BucketRetention reads a bucket's lifecycle expiration and default Object Lock retention, whoever made it,
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
				r.ExpirationDays = b.ExpirationDays
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
