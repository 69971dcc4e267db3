package awsapi

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

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
		if err := c.checkRetention(ctx, name, "", def, now); err != nil {
			return 0, err
		}
	}
	// Each round lists the first page of what is left, since the round before deleted its own page: a
	// listing continued from a marker that was just deleted is not something every S3 implementation gets
	// right (the emulator skips a page). It ends when the bucket is empty.
	// A version the round before deleted and S3 lists again was not deleted: stop, rather than loop.
	var erased map[[2]string]bool
	for {
		page, err := c.s3.listObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket})
		if err != nil {
			return deleted, fmt.Errorf("s3:ListBucketVersions: %w", err)
		}
		if len(page.Versions) == 0 && len(page.DeleteMarkers) == 0 {
			return deleted, nil
		}
		if key, ok := listedAgain(page, erased); ok {
			return deleted, fmt.Errorf("s3:DeleteObjectVersion: %q: %w", key, ErrStillListed)
		}
		erased = versionIDs(page)
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
}

// checkRetention finds, among the bucket's versions whose keys begin with prefix (all of them for ""), those
// S3 will not delete.
func (c *Clients) checkRetention(ctx context.Context, name, prefix string, def ObjectLock, now time.Time) error {
	var retained RetainedError
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(name)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	pages := s3.NewListObjectVersionsPaginator(c.s3.listObjectVersions, in)
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
// not expired. At most lookups versions are asked about their own retention and legal hold (negative: all
// of them); the others carry the bucket's default (see lockOf).
func (c *Clients) retained(ctx context.Context, name string, versions []s3types.ObjectVersion, def ObjectLock, now time.Time, lookups int, r *RetainedError) error {
	for i, v := range versions {
		key := aws.ToString(v.Key)
		l, err := c.lockOf(ctx, name, v, def, now, lookups < 0 || i < lookups)
		if err != nil {
			return err
		}
		if l.LegalHold {
			r.LegalHolds++
			if r.FirstObject == "" {
				r.FirstObject = key
			}
		}
		if l.Mode == s3types.ObjectLockRetentionModeCompliance {
			r.Objects++
			if l.Until.After(r.Until) {
				r.Until = l.Until
			}
			if r.FirstObject == "" {
				r.FirstObject = key
			}
		}
	}
	return nil
}

// versionLock is what keeps one object version from being deleted: a retention in force (Mode is empty
// when none is) and a legal hold.
type versionLock struct {
	Mode      s3types.ObjectLockRetentionMode
	Until     time.Time
	LegalHold bool
}

// lockOf reads what keeps version v of bucket name from being deleted at now. With lookup it asks S3 for the
// version's own retention and legal hold; a version without a retention of its own is taken to carry the
// bucket's default def, counted from when it was written: that is how S3 applies it, and it keeps the check
// safe where a service does not report default retention on each version. Without lookup only the default
// is considered.
func (c *Clients) lockOf(ctx context.Context, name string, v s3types.ObjectVersion, def ObjectLock, now time.Time, lookup bool) (versionLock, error) {
	var l versionLock
	var own *s3types.ObjectLockRetention
	if lookup {
		bucket := aws.String(name)
		ret, err := c.s3.getObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: bucket, Key: v.Key, VersionId: v.VersionId})
		if err != nil && !isNoRetention(err) {
			return l, err
		}
		if err == nil {
			own = ret.Retention
		}
		lh, err := c.s3.getObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: bucket, Key: v.Key, VersionId: v.VersionId})
		if err != nil && !isNoRetention(err) {
			return l, err
		}
		l.LegalHold = err == nil && lh.LegalHold != nil && lh.LegalHold.Status == s3types.ObjectLockLegalHoldStatusOn
	}
	switch {
	case own != nil && own.RetainUntilDate != nil:
		if own.RetainUntilDate.After(now) {
			l.Mode, l.Until = own.Mode, *own.RetainUntilDate
		}
	case def.Mode != "" && def.Days > 0 && v.LastModified != nil:
		if until := v.LastModified.Add(time.Duration(def.Days) * 24 * time.Hour); until.After(now) {
			l.Mode, l.Until = s3types.ObjectLockRetentionMode(def.Mode), until
		}
	}
	return l, nil
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
