package awsapi

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
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
	if !aws.ToBool(v.IsLatest) {
		return false
	}
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

// findArchived lists every version of bucket name and returns the current ones S3 cannot copy, nil when
// there are none. One listing of the bucket, page by page, so memory does not grow with it.
func (c *Clients) findArchived(ctx context.Context, name string) (*ArchivedError, error) {
	var archived ArchivedError
	pages := s3.NewListObjectVersionsPaginator(c.s3.listObjectVersions, &s3.ListObjectVersionsInput{
		Bucket: aws.String(name), OptionalObjectAttributes: withRestoreStatus,
	})
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
