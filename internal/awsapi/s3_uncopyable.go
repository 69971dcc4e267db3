package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// An object in an archive storage class (GLACIER, DEEP_ARCHIVE) cannot be copied until a restore has made a
// readable copy of it: S3 answers ObjectNotInActiveTierError. A move that met one half-way would stop there,
// the objects before it moved and the rest not, and every later apply would stop at the same object. So the
// plan and the apply, before it erases anything, look for them in the listing they make anyway: S3 gives
// each version's storage class, and, asked for RestoreStatus, the restore of those that have one.
// GLACIER_IR, STANDARD_IA, ONEZONE_IA and INTELLIGENT_TIERING's frequent and infrequent tiers are read like
// STANDARD, and a copy keeps each object's storage class.

// MaxNamedArchived is how many archived objects an ArchivedError names; it counts the rest.
const MaxNamedArchived = 10

// ArchivedObject is a current object S3 cannot copy before it is restored.
type ArchivedObject struct {
	Key          string
	StorageClass string
}

// ArchivedError says current objects cannot be copied before they are restored. Objects names the first
// MaxNamedArchived in the listing's order; Total counts them all.
type ArchivedError struct {
	Objects []ArchivedObject
	Total   int64
}

func (e *ArchivedError) Error() string {
	keys := make([]string, len(e.Objects))
	for i, o := range e.Objects {
		keys[i] = fmt.Sprintf("%q (%s)", o.Key, o.StorageClass)
	}
	more := ""
	if int64(len(e.Objects)) < e.Total {
		more = fmt.Sprintf(" and %d more", e.Total-int64(len(e.Objects)))
	}
	return fmt.Sprintf("%d object(s) are archived and not restored, so S3 cannot copy them: %s%s", e.Total, strings.Join(keys, ", "), more)
}

// add counts an archived object, naming it while fewer than MaxNamedArchived are named.
func (e *ArchivedError) add(key, class string) {
	e.Total++
	if len(e.Objects) < MaxNamedArchived {
		e.Objects = append(e.Objects, ArchivedObject{Key: key, StorageClass: class})
	}
}

// orNil returns e when it counts an object, so a caller can return it as an error.
func (e *ArchivedError) orNil() *ArchivedError {
	if e.Total == 0 {
		return nil
	}
	return e
}

// withRestoreStatus asks a version listing for each archived version's restore.
var withRestoreStatus = []s3types.OptionalObjectAttributes{s3types.OptionalObjectAttributesRestoreStatus}

// archivedInListing reports whether a listed version is current and archived without a completed restore.
// The listing must have been asked withRestoreStatus: S3 gives a restore only to versions that have one.
func archivedInListing(v s3types.ObjectVersion) bool {
	return aws.ToBool(v.IsLatest) && archivedVersion(v)
}

// archivedVersion reports whether a listed version, current or not, is archived without a completed
// restore, as archivedInListing does for the current one.
func archivedVersion(v s3types.ObjectVersion) bool {
	switch s3types.StorageClass(v.StorageClass) {
	case s3types.StorageClassGlacier, s3types.StorageClassDeepArchive:
		return v.RestoreStatus == nil || aws.ToBool(v.RestoreStatus.IsRestoreInProgress)
	}
	return false
}

// archivedInHead reports whether a HEAD describes an object S3 cannot copy: in an archive storage class, or
// in an archive tier of INTELLIGENT_TIERING (ArchiveStatus, which no listing shows), without a completed
// restore (the x-amz-restore header says ongoing-request="false" once a restored copy can be read).
func archivedInHead(out *s3.HeadObjectOutput) bool {
	archived := out.ArchiveStatus != ""
	switch out.StorageClass {
	case s3types.StorageClassGlacier, s3types.StorageClassDeepArchive:
		archived = true
	}
	return archived && !strings.Contains(aws.ToString(out.Restore), `ongoing-request="false"`)
}

// findArchived lists every version of bucket name whose key begins with prefix (all of them for "") and
// returns the current ones S3 cannot copy, nil when there are none. One listing of the bucket, page by page,
// so memory does not grow with it.
func (c *Clients) findArchived(ctx context.Context, name, prefix string) (*ArchivedError, error) {
	var archived ArchivedError
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(name), OptionalObjectAttributes: withRestoreStatus}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	pages := s3.NewListObjectVersionsPaginator(c.s3.listObjectVersions, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Versions {
			if archivedInListing(v) {
				archived.add(aws.ToString(v.Key), string(v.StorageClass))
			}
		}
	}
	return archived.orNil(), nil
}

// An object written with a customer-provided key (SSE-C) can be read, or copied, only by a request that
// carries that key, which the provider does not have: S3 answers such a HEAD, GET or copy with 400. No listing
// shows how an object is encrypted, so a plan that moves a bucket's objects asks S3 for each current one with
// a HEAD (see PlanMove).

// CustomerKeyError says current objects are encrypted with a customer-provided key (SSE-C), so S3 will not
// copy them for the provider. Keys names the first MaxNamedArchived in the listing's order; Total counts them
// all.
type CustomerKeyError struct {
	Keys  []string
	Total int64
}

func (e *CustomerKeyError) Error() string {
	keys := make([]string, len(e.Keys))
	for i, k := range e.Keys {
		keys[i] = fmt.Sprintf("%q", k)
	}
	more := ""
	if int64(len(e.Keys)) < e.Total {
		more = fmt.Sprintf(" and %d more", e.Total-int64(len(e.Keys)))
	}
	return fmt.Sprintf("%d object(s) are encrypted with a customer-provided key (SSE-C), so S3 reads or copies them only with that key: %s%s",
		e.Total, strings.Join(keys, ", "), more)
}

// add counts an object, naming it while fewer than MaxNamedArchived are named.
func (e *CustomerKeyError) add(key string) {
	e.Total++
	if len(e.Keys) < MaxNamedArchived {
		e.Keys = append(e.Keys, key)
	}
}

// orNil returns e when it counts an object, so a caller can return it as an error.
func (e *CustomerKeyError) orNil() *CustomerKeyError {
	if e.Total == 0 {
		return nil
	}
	return e
}

// needsCustomerKey reports whether err is S3's answer to a HEAD or GET of an object encrypted with a
// customer-provided key, made without it: 400 Bad Request (a HEAD's answer has no body to say more; a GET's
// says InvalidRequest).
func needsCustomerKey(err error) bool {
	var status interface{ HTTPStatusCode() int }
	return errors.As(err, &status) && status.HTTPStatusCode() == http.StatusBadRequest
}

// headCurrent asks S3 about each current version of a listing page, MoveConcurrency at a time, and adds to
// encrypted the objects that need a customer-provided key and to archived those in an Intelligent-Tiering
// archive tier (the listing shows GLACIER and DEEP_ARCHIVE itself). A version deleted since the listing is
// passed over.
func (c *Clients) headCurrent(ctx context.Context, bucket string, versions []s3types.ObjectVersion, encrypted *CustomerKeyError, archived *ArchivedError) error {
	found := make([]struct{ customerKey, archived bool }, len(versions))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(MoveConcurrency)
	for i, v := range versions {
		if !aws.ToBool(v.IsLatest) {
			continue
		}
		g.Go(func() error {
			out, err := c.s3.headObject(gctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: versionParam(currentVersion(v.VersionId))})
			switch {
			case needsCustomerKey(err):
				found[i].customerKey = true
			case IsNotFound(err) || code(err) == "NoSuchKey" || code(err) == "NoSuchVersion":
			case err != nil:
				return fmt.Errorf("s3:GetObject (HeadObject) of %q: %w", aws.ToString(v.Key), err)
			default:
				found[i].customerKey = aws.ToString(out.SSECustomerAlgorithm) != ""
				found[i].archived = s3types.StorageClass(v.StorageClass) == s3types.StorageClassIntelligentTiering && archivedInHead(out)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// Added in the listing's order, so the objects named are the first.
	for i, f := range found {
		if f.customerKey {
			encrypted.add(aws.ToString(versions[i].Key))
		}
		if f.archived {
			archived.add(aws.ToString(versions[i].Key), string(versions[i].StorageClass))
		}
	}
	return nil
}

// Uncopyable finds the current objects of bucket name whose keys begin with prefix (all of them for "") that
// S3 would not copy for the provider: archived and not restored, or encrypted with a customer-provided key.
// Like the plan of a bucket replacement that moves its data (see PlanMove), it lists the bucket page by page
// and asks S3 about each current object with a HEAD, MoveConcurrency at a time, so that a move refuses them
// before its first copy rather than half-way. Both results are nil when there are none.
func (c *Clients) Uncopyable(ctx context.Context, name, prefix string) (*ArchivedError, *CustomerKeyError, error) {
	var archived ArchivedError
	var encrypted CustomerKeyError
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(name), OptionalObjectAttributes: withRestoreStatus}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	pages := s3.NewListObjectVersionsPaginator(c.s3.listObjectVersions, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, nil, err
		}
		for _, v := range page.Versions {
			if archivedInListing(v) {
				archived.add(aws.ToString(v.Key), string(v.StorageClass))
			}
		}
		if err := c.headCurrent(ctx, name, page.Versions, &encrypted, &archived); err != nil {
			return nil, nil, err
		}
	}
	return archived.orNil(), encrypted.orNil(), nil
}
