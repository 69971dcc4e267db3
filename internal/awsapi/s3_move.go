package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// MultipartCopy sets when an object is copied in parts: S3 copies at most 5 GiB in one CopyObject, and a
// part is at least 5 MiB. Acceptance tests lower both so the emulator can prove the multipart path.
var MultipartCopy = struct{ Above, PartSize int64 }{Above: 5 << 30, PartSize: 512 << 20}

// MoveConcurrency is how many objects a move copies or verifies at once. Each is one small request that S3
// answers after copying server-side, so the bound is what the endpoint accepts, not the provider's memory.
// Against S3 a move waits on latency: a request is answered 20 to 50 ms after it is sent, and a move makes
// three per object (the plan's HEAD, the source's HEAD, the copy), so 96 in flight move up to 640 to 1,600
// objects a second, where 32 moved about as many as the AWS CLI's one copy with 10 in flight. That stays
// within what S3 accepts per prefix (5,500 HEADs and 3,500 copies a second) and within the connections the
// client keeps (maxIdleConnsPerHost).
const MoveConcurrency = 96

// MoveSource is a bucket whose objects move, as a plan sees it before anything happens.
type MoveSource struct {
	// Current counts the current objects and their bytes: what moves.
	Current, Bytes int64
	// Noncurrent counts the noncurrent versions and DeleteMarkers the delete markers: what does not move,
	// and is erased with the bucket.
	Noncurrent, DeleteMarkers int64
	// Retention is the bucket's default retention.
	Retention Retention
	// Retained is set when some version is under retention S3 will not lift, which stops a move as it stops a
	// destroy; it is decided on the first versions alone, as CheckDestroy does.
	Retained *RetainedError
	// Archived is set when some current object is archived and not restored, which S3 cannot copy.
	Archived *ArchivedError
	// CustomerKey is set when some current object is encrypted with a customer-provided key (SSE-C), which
	// S3 copies only for a request that carries the key.
	CustomerKey *CustomerKeyError
	// Siblings are the other buckets whose names a bucket_prefix generates from the same prefix: a move
	// finds the successor by its prefix, so there must be none.
	Siblings []string
}

// PlanMove reads what a plan says about moving the objects of bucket name, generated from prefix (empty for
// a fixed name, which has no siblings): the figures (one listing of every version, page by page, so memory
// does not grow with the bucket), what the move could not copy, its retention and the other buckets with the
// same prefix. Only a HEAD tells whether an object needs a customer-provided key, so the plan makes one per
// current object, MoveConcurrency at a time: as many as the move itself makes, and only in the plan of a
// replacement that moves a bucket's data.
func (c *Clients) PlanMove(ctx context.Context, name, prefix string, isGenerated func(string) bool, now time.Time) (MoveSource, error) {
	var src MoveSource
	var archived ArchivedError
	var encrypted CustomerKeyError
	err := concurrently(ctx,
		func(ctx context.Context) error {
			pages := s3.NewListObjectVersionsPaginator(c.s3.listObjectVersions, &s3.ListObjectVersionsInput{
				Bucket: aws.String(name), OptionalObjectAttributes: withRestoreStatus,
			})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, v := range page.Versions {
					if archivedInListing(v) {
						archived.add(aws.ToString(v.Key), string(v.StorageClass))
					}
					if aws.ToBool(v.IsLatest) {
						src.Current++
						src.Bytes += aws.ToInt64(v.Size)
					} else {
						src.Noncurrent++
					}
				}
				src.DeleteMarkers += int64(len(page.DeleteMarkers))
				if err := c.headCurrent(ctx, name, page.Versions, &encrypted, &archived); err != nil {
					return err
				}
			}
			src.Archived, src.CustomerKey = archived.orNil(), encrypted.orNil()
			return nil
		},
		func(ctx context.Context) error {
			check, err := c.CheckDestroy(ctx, name, now)
			src.Retained = check.Retained
			return err
		},
		func(ctx context.Context) error {
			r, err := c.BucketRetention(ctx, name)
			src.Retention = r
			return err
		},
		func(ctx context.Context) error {
			if prefix == "" {
				return nil
			}
			buckets, err := c.bucketsWithPrefix(ctx, prefix)
			for _, b := range buckets {
				if n := aws.ToString(b.Name); n != name && isGenerated(n) {
					src.Siblings = append(src.Siblings, n)
				}
			}
			return err
		},
	)
	return src, err
}

// MoveError is a move that stopped. Nothing has been erased that was not verified in the new bucket first;
// Key names the object the move stopped at, when it stopped at one.
type MoveError struct {
	Key    string
	Action string
	Err    error
}

func (e *MoveError) Error() string {
	if e.Key != "" {
		return fmt.Sprintf("%s of object %q: %v", e.Action, e.Key, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Action, e.Err)
}

func (e *MoveError) Unwrap() error { return e.Err }

// ErrStillListed is a version that S3 said it deleted and lists again.
var ErrStillListed = errors.New("S3 acknowledged the deletion of this object version but still lists it")

// versionIDs are a listing page's versions and delete markers, by key and version id.
func versionIDs(page *s3.ListObjectVersionsOutput) map[[2]string]bool {
	ids := map[[2]string]bool{}
	for _, v := range page.Versions {
		ids[[2]string{aws.ToString(v.Key), aws.ToString(v.VersionId)}] = true
	}
	for _, d := range page.DeleteMarkers {
		ids[[2]string{aws.ToString(d.Key), aws.ToString(d.VersionId)}] = true
	}
	return ids
}

// listedAgain returns the key of an entry of page that ids holds, if any.
func listedAgain(page *s3.ListObjectVersionsOutput, ids map[[2]string]bool) (string, bool) {
	for id := range versionIDs(page) {
		if ids[id] {
			return id[0], true
		}
	}
	return "", false
}

// ErrNotIdentical is a copy that S3 acknowledged but that differs from its source when checked.
var ErrNotIdentical = errors.New("the copy differs from its source")

// WrongKeyError is a copy that S3 encrypted under another KMS key than the new bucket's: its content may be
// the source's, but deleting the new bucket's key would not erase it. It is a copy that differs
// (errors.Is ErrNotIdentical).
type WrongKeyError struct {
	Key, Want string
}

func (e *WrongKeyError) Error() string {
	return fmt.Sprintf("%s: it is encrypted under the KMS key %q, not the new bucket's key %q", ErrNotIdentical, e.Key, e.Want)
}

func (e *WrongKeyError) Is(target error) bool { return target == ErrNotIdentical }

// MoveObjects moves every current object of bucket from (in c's region) into bucket to (in dst's region).
// It empties the old bucket in rounds: each lists the first page of versions left, copies each current
// object server-side, encrypted under to's default KMS key, checks the copy (same content by checksum, and
// the new bucket's key), and only then deletes that page's versions and delete markers from the old bucket;
// nothing is erased before its copy is verified. Rounds go on until the old bucket is empty, so objects
// written meanwhile are moved too. Noncurrent versions and delete markers are not carried over. A move that
// stops anywhere leaves every object it has not verified where it was; the next call finishes it, and, when
// the new bucket already holds objects, those present and identical are not copied again.
//
// progress is called after each round with the running totals, which are also written to to's MovedFromTag.
// The manifest is a chained SHA-256: for each round, in the listing's key order, the hex SHA-256 of the
// previous value followed by one line per moved object (key, size, checksum algorithm and value).
func (c *Clients) MoveObjects(ctx context.Context, from string, dst *Clients, to string, progress func(Moved)) (Moved, error) {
	return c.MoveObjectsWith(ctx, from, dst, to, MoveOptions{}, progress)
}

// MoveOptions narrow a move to what the gdpr_move_objects action asks of it. Their zero value is a bucket
// replacement's move: every object, the old bucket emptied, the running totals in the new bucket's
// MovedFromTag.
type MoveOptions struct {
	// Prefix limits the move to the keys that begin with it; only their versions are checked and erased.
	Prefix string
	// KeepSource copies and verifies, and erases nothing from the old bucket.
	KeepSource bool
	// Untracked leaves the new bucket's tags alone: the action's move is a gdpr_bucket's own business, which
	// records it in its audit event alone, so a refresh of that bucket sees no moved_from it did not make.
	// Each call then counts only what it moved itself.
	Untracked bool
}

// MoveObjectsWith is MoveObjects narrowed by opts. With KeepSource nothing is erased, so the listing goes on
// page by page instead of starting again from the first page left.
func (c *Clients) MoveObjectsWith(ctx context.Context, from string, dst *Clients, to string, opts MoveOptions, progress func(Moved)) (Moved, error) {
	m := &mover{src: c, dst: dst, from: from, to: to, opts: opts}
	if err := m.prepare(ctx); err != nil {
		return m.moved, err
	}
	err := m.moveRounds(ctx, progress)
	return m.moved, err
}

// mover is one MoveObjects call.
type mover struct {
	src, dst *Clients
	from, to string
	opts     MoveOptions
	// key is the new bucket's default KMS key, under which every copy is encrypted.
	key string
	// lock says the old bucket has Object Lock, so its GOVERNANCE retention is bypassed when erasing
	// versions that have been moved (a plan made sure the new bucket keeps them at least as long).
	lock bool
	// lockDefault is the old bucket's default retention, which versions without their own carry.
	lockDefault ObjectLock
	// dstLockDefault is the new bucket's default retention, which S3 gives every copy that asks for none.
	dstLockDefault ObjectLock
	// fresh says the new bucket held nothing when the move began: every object is copied without first
	// asking whether it is there. A move that resumes asks, and copies only what is missing or different.
	fresh bool
	// dstTags are the new bucket's tags, which the running MovedFromTag joins.
	dstTags map[string]string
	moved   Moved
}

func (m *mover) prepare(ctx context.Context) error {
	m.moved.From = m.from
	return concurrently(ctx,
		func(ctx context.Context) error {
			key, err := m.dst.defaultKMSKey(ctx, m.to)
			if err != nil {
				return &MoveError{Action: "s3:GetEncryptionConfiguration of " + m.to, Err: err}
			}
			if m.key = key; m.key == "" {
				return &MoveError{Action: "s3:GetEncryptionConfiguration of " + m.to, Err: errors.New("the new bucket has no default KMS key")}
			}
			return nil
		},
		func(ctx context.Context) error {
			enabled, def, err := m.src.objectLock(ctx, m.from)
			m.lock = enabled
			if def != nil {
				m.lockDefault = *def
			}
			if err != nil {
				return &MoveError{Action: "s3:GetBucketObjectLockConfiguration of " + m.from, Err: err}
			}
			return nil
		},
		func(ctx context.Context) error {
			_, def, err := m.dst.objectLock(ctx, m.to)
			if def != nil {
				m.dstLockDefault = *def
			}
			if err != nil {
				return &MoveError{Action: "s3:GetBucketObjectLockConfiguration of " + m.to, Err: err}
			}
			return nil
		},
		func(ctx context.Context) error {
			tags, err := m.dst.bucketTags(ctx, m.to)
			if err != nil {
				return &MoveError{Action: "s3:GetBucketTagging of " + m.to, Err: err}
			}
			m.dstTags = tags
			if prev, ok := parseMoved(tags[MovedFromTag]); ok && prev.From == m.from && !m.opts.Untracked {
				m.moved = prev
			}
			return nil
		},
		func(ctx context.Context) error {
			out, err := m.dst.s3.listObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(m.to), MaxKeys: aws.Int32(1)})
			if err != nil {
				return &MoveError{Action: "s3:ListBucketVersions of " + m.to, Err: err}
			}
			m.fresh = len(out.Versions) == 0 && len(out.DeleteMarkers) == 0
			return nil
		},
	)
}

// defaultKMSKey reads the KMS key a bucket encrypts new objects under by default, "" when it names none.
func (c *Clients) defaultKMSKey(ctx context.Context, name string) (string, error) {
	enc, err := c.s3.getBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
	if missing(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if c := enc.ServerSideEncryptionConfiguration; c != nil && len(c.Rules) > 0 && c.Rules[0].ApplyServerSideEncryptionByDefault != nil {
		return aws.ToString(c.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID), nil
	}
	return "", nil
}

// copy copies one version of an object into the new bucket, in parts when it is too large for one request;
// src is its HEAD. It returns what S3 says of the copy: its checksum (of algorithm algo) and the key it is
// encrypted under; after a copy in parts, only that the copy exists. The copy keeps the object's storage
// class and website redirect, which S3 would otherwise set to STANDARD and drop.
func (m *mover) copy(ctx context.Context, key, version string, src object, algo s3types.ChecksumAlgorithm) (object, error) {
	if src.sum.size > MultipartCopy.Above {
		return object{}, m.copyInParts(ctx, key, version, src, algo)
	}
	out, err := m.dst.s3.copyObject(ctx, &s3.CopyObjectInput{
		Bucket:               aws.String(m.to),
		Key:                  aws.String(key),
		CopySource:           aws.String(copySource(m.from, key, version)),
		ChecksumAlgorithm:    algo,
		MetadataDirective:    s3types.MetadataDirectiveCopy,
		TaggingDirective:     s3types.TaggingDirectiveCopy,
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId:          aws.String(m.key),
		BucketKeyEnabled:     aws.Bool(true),

		StorageClass:              src.storageClass,
		WebsiteRedirectLocation:   src.redirect,
		ObjectLockMode:            src.lockMode,
		ObjectLockRetainUntilDate: src.lockUntil,
	})
	if err != nil {
		return object{}, &MoveError{Key: key, Action: "s3:PutObject (CopyObject)", Err: err}
	}
	o := object{kmsKey: aws.ToString(out.SSEKMSKeyId)}
	if r := out.CopyObjectResult; r != nil {
		o.sum = checksumOf(map[s3types.ChecksumAlgorithm]*string{
			s3types.ChecksumAlgorithmCrc32: r.ChecksumCRC32, s3types.ChecksumAlgorithmCrc32c: r.ChecksumCRC32C,
			s3types.ChecksumAlgorithmCrc64nvme: r.ChecksumCRC64NVME, s3types.ChecksumAlgorithmSha1: r.ChecksumSHA1,
			s3types.ChecksumAlgorithmSha256: r.ChecksumSHA256,
		}, r.ChecksumType)
	}
	return o, nil
}

// copyInParts copies an object above MultipartCopy.Above with UploadPartCopy. A multipart upload does not
// copy the source's headers and tags by itself, so they are read and given to it; an upload that fails is
// aborted, so no parts are left to pay for.
func (m *mover) copyInParts(ctx context.Context, key, version string, src object, algo s3types.ChecksumAlgorithm) (err error) {
	size := src.sum.size
	head, err := m.src.s3.headObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(m.from), Key: aws.String(key), VersionId: versionParam(version)})
	if err != nil {
		return &MoveError{Key: key, Action: "s3:GetObject (HeadObject)", Err: err}
	}
	tagging, err := m.src.s3.getObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(m.from), Key: aws.String(key), VersionId: versionParam(version)})
	if err != nil {
		return &MoveError{Key: key, Action: "s3:GetObjectVersionTagging", Err: err}
	}
	// A CRC checksum of a multipart upload can cover the whole object, so it compares with the source's;
	// SHA-1 and SHA-256 only combine the parts' checksums, which verifyAndErase then checks by reading.
	checksumType := s3types.ChecksumTypeComposite
	switch algo {
	case s3types.ChecksumAlgorithmCrc32, s3types.ChecksumAlgorithmCrc32c, s3types.ChecksumAlgorithmCrc64nvme:
		checksumType = s3types.ChecksumTypeFullObject
	}
	up, err := m.dst.s3.createMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:               aws.String(m.to),
		Key:                  aws.String(key),
		ContentType:          head.ContentType,
		CacheControl:         head.CacheControl,
		ContentDisposition:   head.ContentDisposition,
		ContentEncoding:      head.ContentEncoding,
		ContentLanguage:      head.ContentLanguage,
		Metadata:             head.Metadata,
		Tagging:              aws.String(encodeTagging(tagging.TagSet)),
		ChecksumAlgorithm:    algo,
		ChecksumType:         checksumType,
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
		SSEKMSKeyId:          aws.String(m.key),
		BucketKeyEnabled:     aws.Bool(true),

		Expires:                   head.Expires, //nolint:staticcheck // the field the upload takes, as the HEAD parsed it
		StorageClass:              head.StorageClass,
		WebsiteRedirectLocation:   head.WebsiteRedirectLocation,
		ObjectLockMode:            src.lockMode,
		ObjectLockRetainUntilDate: src.lockUntil,
	})
	if err != nil {
		return &MoveError{Key: key, Action: "s3:PutObject (CreateMultipartUpload)", Err: err}
	}
	defer func() {
		if err != nil {
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), createTimeout)
			defer cancel()
			_, _ = m.dst.s3.abortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(m.to), Key: aws.String(key), UploadId: up.UploadId})
		}
	}()
	var parts []s3types.CompletedPart
	for n, start := int32(1), int64(0); start < size; n, start = n+1, start+MultipartCopy.PartSize {
		end := min(start+MultipartCopy.PartSize, size) - 1
		out, err := m.dst.s3.uploadPartCopy(ctx, &s3.UploadPartCopyInput{
			Bucket:          aws.String(m.to),
			Key:             aws.String(key),
			UploadId:        up.UploadId,
			PartNumber:      aws.Int32(n),
			CopySource:      aws.String(copySource(m.from, key, version)),
			CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", start, end)),
		})
		if err != nil {
			return &MoveError{Key: key, Action: "s3:PutObject (UploadPartCopy)", Err: err}
		}
		part := s3types.CompletedPart{PartNumber: aws.Int32(n)}
		if r := out.CopyPartResult; r != nil {
			part.ETag, part.ChecksumCRC32, part.ChecksumCRC32C = r.ETag, r.ChecksumCRC32, r.ChecksumCRC32C
			part.ChecksumCRC64NVME, part.ChecksumSHA1, part.ChecksumSHA256 = r.ChecksumCRC64NVME, r.ChecksumSHA1, r.ChecksumSHA256
		}
		parts = append(parts, part)
	}
	_, err = m.dst.s3.completeMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(m.to), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return &MoveError{Key: key, Action: "s3:PutObject (CompleteMultipartUpload)", Err: err}
	}
	return nil
}

// moveRounds empties the old bucket round by round (see MoveObjects).
func (m *mover) moveRounds(ctx context.Context, progress func(Moved)) error {
	if m.lock {
		// Versions S3 will not delete stop the move before the first copy, as they stop a destroy.
		if err := m.src.checkRetention(ctx, m.from, m.opts.Prefix, m.lockDefault, time.Now()); err != nil {
			return err
		}
	}
	// So do objects S3 cannot copy, archived since the plan looked: one listing of the bucket.
	switch archived, err := m.src.findArchived(ctx, m.from, m.opts.Prefix); {
	case err != nil:
		return &MoveError{Action: "s3:ListBucketVersions of " + m.from, Err: err}
	case archived != nil:
		return archived
	}
	// Each round lists the first page of what is left, since the round before erased its own page: a listing
	// continued from a marker that was just deleted is not something every S3 implementation gets right.
	// erased are the versions the round before deleted: one listed again was not deleted, whatever S3
	// answered, and another round would copy and delete it again, for ever.
	// A move that keeps its source lists on from S3's markers instead, which no delete disturbs.
	var erased map[[2]string]bool
	list := &s3.ListObjectVersionsInput{Bucket: aws.String(m.from)}
	if m.opts.Prefix != "" {
		list.Prefix = aws.String(m.opts.Prefix)
	}
	var pages *s3.ListObjectVersionsPaginator
	if m.opts.KeepSource {
		pages = s3.NewListObjectVersionsPaginator(m.src.s3.listObjectVersions, list)
	}
	for {
		var page *s3.ListObjectVersionsOutput
		var err error
		if pages == nil {
			page, err = m.src.s3.listObjectVersions(ctx, list)
		} else if pages.HasMorePages() {
			page, err = pages.NextPage(ctx)
		} else {
			return nil
		}
		if err != nil {
			return &MoveError{Action: "s3:ListBucketVersions of " + m.from, Err: err}
		}
		if pages == nil && len(page.Versions) == 0 && len(page.DeleteMarkers) == 0 {
			return nil
		}
		if key, ok := listedAgain(page, erased); ok {
			return &MoveError{Key: key, Action: "s3:DeleteObjectVersion in " + m.from, Err: ErrStillListed}
		}
		var current []s3types.ObjectVersion
		for _, v := range page.Versions {
			if aws.ToBool(v.IsLatest) {
				current = append(current, v)
			}
		}
		sums := make([]objectSum, len(current))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(MoveConcurrency)
		for i, v := range current {
			g.Go(func() (err error) {
				sums[i], err = m.moveOne(gctx, aws.ToString(v.Key), currentVersion(v.VersionId))
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		if !m.opts.KeepSource {
			if err := m.erase(ctx, page); err != nil {
				return err
			}
			erased = versionIDs(page)
		}
		h := sha256.New()
		h.Write([]byte(m.moved.Manifest))
		for i, v := range current {
			fmt.Fprintf(h, "%s\t%d\t%s:%s\n", aws.ToString(v.Key), sums[i].size, sums[i].algo, sums[i].value)
			m.moved.Objects++
			m.moved.Bytes += sums[i].size
		}
		if len(current) > 0 {
			m.moved.Manifest = hex.EncodeToString(h.Sum(nil))
		}
		if err := m.record(ctx); err != nil {
			return err
		}
		if progress != nil {
			progress(m.moved)
		}
	}
}

// record writes the running totals to the new bucket's MovedFromTag, unless the move is Untracked.
func (m *mover) record(ctx context.Context) error {
	if m.opts.Untracked {
		return nil
	}
	tags := maps.Clone(m.dstTags)
	tags[MovedFromTag] = m.moved.tagValue()
	if err := m.dst.putBucketTags(ctx, m.to, tags); err != nil {
		return &MoveError{Action: "s3:PutBucketTagging of " + m.to, Err: err}
	}
	return nil
}

// erase deletes a page's versions and delete markers from the old bucket once its objects are verified.
func (m *mover) erase(ctx context.Context, page *s3.ListObjectVersionsOutput) error {
	var ids []s3types.ObjectIdentifier
	for _, v := range page.Versions {
		ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
	}
	for _, d := range page.DeleteMarkers {
		ids = append(ids, s3types.ObjectIdentifier{Key: d.Key, VersionId: d.VersionId})
	}
	if len(ids) == 0 {
		return nil
	}
	out, err := m.src.s3.deleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket:                    aws.String(m.from),
		Delete:                    &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		BypassGovernanceRetention: aws.Bool(m.lock),
	})
	if err != nil {
		return &MoveError{Action: "s3:DeleteObjectVersion in " + m.from, Err: err}
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return &MoveError{Key: aws.ToString(e.Key), Action: "s3:DeleteObjectVersion in " + m.from,
			Err: fmt.Errorf("%d of %d deletes failed: %s %s", len(out.Errors), len(ids), aws.ToString(e.Code), aws.ToString(e.Message))}
	}
	return nil
}

// objectSum is what identifies an object's content: its size and a checksum of it.
type objectSum struct {
	size  int64
	algo  s3types.ChecksumAlgorithm
	value string
	// full says value covers the whole object, rather than combining the checksums of its parts.
	full bool
}

// object is what a HEAD says about one object version.
type object struct {
	sum         objectSum
	contentType string
	metadata    map[string]string
	kmsKey      string
	// storageClass is empty for STANDARD, which a HEAD does not name.
	storageClass s3types.StorageClass
	redirect     *string
	// archived says S3 cannot copy the object before it is restored.
	archived bool
	// lockMode and lockUntil are the version's Object Lock retention (HeadObject gives it to a caller
	// allowed s3:GetObjectRetention); see carriedRetention.
	lockMode  s3types.ObjectLockMode
	lockUntil *time.Time
}

// head reads an object version with its checksum; found is false when the object does not exist.
func (c *Clients) head(ctx context.Context, bucket, key, version string) (o object, found bool, err error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.s3.headObject(ctx, in)
	if IsNotFound(err) || code(err) == "NotFound" || code(err) == "NoSuchKey" {
		return o, false, nil
	}
	if err != nil {
		return o, false, err
	}
	o.sum = checksumOf(map[s3types.ChecksumAlgorithm]*string{
		s3types.ChecksumAlgorithmCrc32: out.ChecksumCRC32, s3types.ChecksumAlgorithmCrc32c: out.ChecksumCRC32C,
		s3types.ChecksumAlgorithmCrc64nvme: out.ChecksumCRC64NVME, s3types.ChecksumAlgorithmSha1: out.ChecksumSHA1,
		s3types.ChecksumAlgorithmSha256: out.ChecksumSHA256,
	}, out.ChecksumType)
	o.sum.size = aws.ToInt64(out.ContentLength)
	o.contentType = aws.ToString(out.ContentType)
	o.metadata = out.Metadata
	o.kmsKey = aws.ToString(out.SSEKMSKeyId)
	o.storageClass, o.redirect, o.archived = out.StorageClass, out.WebsiteRedirectLocation, archivedInHead(out)
	o.lockMode, o.lockUntil = out.ObjectLockMode, out.ObjectLockRetainUntilDate
	return o, true, nil
}

// checksumOf picks the checksum S3 gave, of whichever algorithm it has.
func checksumOf(values map[s3types.ChecksumAlgorithm]*string, typ s3types.ChecksumType) (sum objectSum) {
	for algo, v := range values {
		if v != nil && *v != "" {
			sum.algo, sum.value = algo, *v
			// A checksum of parts is written as the combined value, a dash and the number of parts.
			sum.full = typ != s3types.ChecksumTypeComposite && !strings.Contains(*v, "-")
		}
	}
	return sum
}

// moveOne makes sure the current version of key in the old bucket exists identical in the new one, and
// returns the checksum the manifest records. It asks S3 for the source's checksum and copies the object
// asking for a checksum of the same algorithm, which S3 computes from what it wrote: equal values prove the
// copy, at two requests per object. A source without a whole-object checksum is read and hashed instead. A
// move that resumes first asks whether the object is already there, identical.
func (m *mover) moveOne(ctx context.Context, key, version string) (objectSum, error) {
	src, found, err := m.src.head(ctx, m.from, key, version)
	if needsCustomerKey(err) {
		// Written with a customer-provided key since the plan looked.
		encrypted := &CustomerKeyError{}
		encrypted.add(key)
		return objectSum{}, &MoveError{Key: key, Action: "s3:GetObject (HeadObject)", Err: encrypted}
	}
	if err != nil || !found {
		if err == nil {
			err = errors.New("the object version is gone")
		}
		return objectSum{}, &MoveError{Key: key, Action: "s3:GetObject (HeadObject)", Err: err}
	}
	if src.archived {
		// Archived since the listing, or in an Intelligent-Tiering archive tier, which no listing shows.
		archived := &ArchivedError{}
		archived.add(key, string(src.storageClass))
		return objectSum{}, &MoveError{Key: key, Action: "s3:PutObject (CopyObject)", Err: archived}
	}
	m.carriedRetention(&src, time.Now())
	if !m.fresh {
		if ok, sum, err := m.present(ctx, key, version, src); err != nil || ok {
			return sum, err
		}
	}
	return m.copyVerified(ctx, key, version, src)
}

// copyVerified copies one version of an object (src is its HEAD) and checks the copy against it: the same
// content by checksum and the new bucket's key. A copy that differs is made once more before it fails with
// ErrNotIdentical. It returns the copy's checksum.
func (m *mover) copyVerified(ctx context.Context, key, version string, src object) (objectSum, error) {
	algo := s3types.ChecksumAlgorithmSha256
	if src.sum.full {
		algo = src.sum.algo
	}
	for attempt := 0; ; attempt++ {
		dst, err := m.copy(ctx, key, version, src, algo)
		if err != nil {
			return objectSum{}, err
		}
		var same bool
		differs := ErrNotIdentical
		switch {
		case dst.sum.value == "":
			// A copy in parts: S3's answer carries no checksum of the whole, so the copy is read back.
			var sum objectSum
			same, sum, err = m.present(ctx, key, version, src)
			dst.sum = sum
		case !sameKey(dst.kmsKey, m.key):
			same, differs = false, &WrongKeyError{Key: dst.kmsKey, Want: m.key}
		case src.sum.full && dst.sum.algo == src.sum.algo:
			same = dst.sum.value == src.sum.value
		default:
			var a string
			a, err = m.src.readSum(ctx, m.from, key, version)
			same = err == nil && a == dst.sum.value && dst.sum.algo == s3types.ChecksumAlgorithmSha256
		}
		if err != nil {
			return objectSum{}, &MoveError{Key: key, Action: "verifying the copy in " + m.to, Err: err}
		}
		if same {
			dst.sum.size = src.sum.size
			return dst.sum, nil
		}
		if attempt > 0 {
			return objectSum{}, &MoveError{Key: key, Action: "verifying the copy in " + m.to, Err: differs}
		}
	}
}

// carriedRetention keeps, of an old bucket's version's Object Lock retention (as its HEAD gave it), what a
// copy must be given: the retention, when it ends later than the new bucket's default would end for the
// copy, which S3 gives a copy that asks for no retention of its own; nothing otherwise. The move must not
// end a retention early. (A legal hold or COMPLIANCE retention stops the move before the first copy, see
// moveRounds, so GOVERNANCE is all that is carried.)
func (m *mover) carriedRetention(o *object, now time.Time) {
	byDefault := now
	if d := m.dstLockDefault; d.Mode != "" {
		byDefault = now.Add(time.Duration(d.Days) * 24 * time.Hour)
	}
	if o.lockUntil == nil || !o.lockUntil.After(byDefault) {
		o.lockMode, o.lockUntil = "", nil
	}
}

// present reports whether the new bucket holds key identical to the old bucket's version (src is its HEAD),
// with the checksum the manifest records.
func (m *mover) present(ctx context.Context, key, version string, src object) (bool, objectSum, error) {
	dst, found, err := m.dst.head(ctx, m.to, key, "")
	if err != nil {
		return false, objectSum{}, &MoveError{Key: key, Action: "s3:GetObject (HeadObject) in " + m.to, Err: err}
	}
	if !found || !m.sameHeaders(src, dst) {
		return false, objectSum{}, nil
	}
	same, err := m.sameContent(ctx, key, version, src.sum, dst.sum)
	return same, dst.sum, err
}

// sameHeaders compares what a HEAD tells of two objects besides their content, and that the copy is
// encrypted under the new bucket's key.
func (m *mover) sameHeaders(src, dst object) bool {
	return src.sum.size == dst.sum.size && src.contentType == dst.contentType &&
		maps.Equal(src.metadata, dst.metadata) && sameKey(dst.kmsKey, m.key) &&
		src.storageClass == dst.storageClass && aws.ToString(src.redirect) == aws.ToString(dst.redirect)
}

// sameKey compares a key as S3 reports it on an object (an ARN) with one as the bucket's configuration
// names it (an ARN or a key id).
func sameKey(onObject, configured string) bool {
	return onObject == configured || strings.HasSuffix(onObject, "/"+configured) || strings.HasSuffix(configured, "/"+onObject)
}

// sameContent compares two objects' content by checksum: S3's own when both have a whole-object checksum of
// the same algorithm, as every copy has; otherwise by reading both and hashing them, which only objects
// without a checksum or uploaded in parts need.
func (m *mover) sameContent(ctx context.Context, key, version string, src, dst objectSum) (bool, error) {
	if src.full && dst.full && src.algo == dst.algo {
		return src.value == dst.value, nil
	}
	var a, b string
	err := concurrently(ctx,
		func(ctx context.Context) (err error) {
			a, err = m.src.readSum(ctx, m.from, key, version)
			return err
		},
		func(ctx context.Context) (err error) {
			b, err = m.dst.readSum(ctx, m.to, key, "")
			return err
		},
	)
	if err != nil {
		return false, &MoveError{Key: key, Action: "s3:GetObject", Err: err}
	}
	return a == b, nil
}

// readSum reads an object and returns the SHA-256 of its content, streaming it through the hash.
func (c *Clients) readSum(ctx context.Context, bucket, key, version string) (string, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.s3.getObject(ctx, in)
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// currentVersion is how a request names the current version of an object: by its version ID, or by none
// when S3 lists it as "null", the ID of an object written while the bucket was unversioned (a bucket made
// with the AWS CLI or the console). S3 keeps at most one null version, so naming none reaches the same
// object, and S3-compatible stores that refuse versionId=null on an unversioned bucket (moto answers a HEAD
// with 400 Bad Request, which would read as an object needing a customer-provided key) can move it too.
func currentVersion(id *string) string {
	if v := aws.ToString(id); v != "null" {
		return v
	}
	return ""
}

// versionParam is a version ID as a request takes it: none for "".
func versionParam(version string) *string {
	if version == "" {
		return nil
	}
	return aws.String(version)
}

// copySource names an object version as CopyObject and UploadPartCopy take it: the key URL-encoded.
func copySource(bucket, key, version string) string {
	s := bucket + "/" + strings.ReplaceAll(url.PathEscape(key), "%2F", "/")
	if version != "" {
		s += "?versionId=" + url.QueryEscape(version)
	}
	return s
}

// encodeTagging writes object tags as the x-amz-tagging header takes them: a URL query.
func encodeTagging(tags []s3types.Tag) string {
	q := url.Values{}
	for _, t := range tags {
		q.Set(aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return q.Encode()
}

// Successors are the buckets this provider process created with on_replace = "move_data": the candidates to
// receive the objects of a bucket they replace. Terraform tells a create nothing of the object it replaces,
// so the delete of the old bucket, which Terraform runs after the create when create_before_destroy is set,
// finds its successor here by the bucket_prefix the two share, without a request. A process that stops before
// that delete loses the list; the next finds the pair on the new bucket (see AwaitingData).
type Successors struct {
	mu      sync.Mutex
	waiting []Successor
}

// Successor is a bucket waiting for the objects of the bucket it replaces.
type Successor struct {
	Prefix, Name, Region string
}

// Add records a bucket that has just been created with on_replace = "move_data".
func (s *Successors) Add(b Successor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiting = append(s.waiting, b)
}

// Waiting lists the buckets created with prefix, other than the bucket name itself, without taking any.
func (s *Successors) Waiting(prefix, name string) []Successor {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []Successor
	for _, w := range s.waiting {
		if w.Prefix == prefix && w.Name != name {
			found = append(found, w)
		}
	}
	return found
}

// Take removes the bucket name from the list once a move has begun into it, so no other bucket moves there.
func (s *Successors) Take(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiting = slices.DeleteFunc(s.waiting, func(w Successor) bool { return w.Name == name })
}

// HeldObjects names the versions of bucket name whose keys begin with prefix (all of them for "") that S3
// deletes for nobody: those under COMPLIANCE retention or a legal hold, each with its retain-until date. A
// move would have to leave them behind, so it refuses them before the first copy. GOVERNANCE retention is
// not among them, since a move carries it to the copy (see carriedRetention). It is nil for a bucket
// without Object Lock, or with none such.
func (c *Clients) HeldObjects(ctx context.Context, name, prefix string, now time.Time) (*ErasureBlockedError, error) {
	lock, def, err := c.objectLock(ctx, name)
	if err != nil || !lock {
		return nil, err
	}
	e := &eraser{c: c, bucket: name, scope: EraseScope{Prefix: prefix}, keys: sha256.New()}
	if def != nil {
		e.def = *def
	}
	_, err = e.survey(ctx, true, true, now)
	var blocked *ErasureBlockedError
	if errors.As(err, &blocked) {
		return blocked, nil
	}
	return nil, err
}
