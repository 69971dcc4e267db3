package awsapi

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Only current versions in an archive class without a completed restore stop a move; the classes S3 reads
// at once (GLACIER_IR among them) do not, nor do noncurrent versions, which are not copied.
func TestArchivedInListing(t *testing.T) {
	done := &s3types.RestoreStatus{IsRestoreInProgress: aws.Bool(false)}
	running := &s3types.RestoreStatus{IsRestoreInProgress: aws.Bool(true)}
	cases := []struct {
		class   string
		latest  bool
		restore *s3types.RestoreStatus
		want    bool
	}{
		{"GLACIER", true, nil, true},
		{"DEEP_ARCHIVE", true, nil, true},
		{"GLACIER", true, running, true},
		{"GLACIER", true, done, false},
		{"DEEP_ARCHIVE", true, done, false},
		{"GLACIER", false, nil, false},
		{"GLACIER_IR", true, nil, false},
		{"STANDARD_IA", true, nil, false},
		{"INTELLIGENT_TIERING", true, nil, false},
		{"", true, nil, false},
	}
	for _, c := range cases {
		v := s3types.ObjectVersion{StorageClass: s3types.ObjectVersionStorageClass(c.class), IsLatest: aws.Bool(c.latest), RestoreStatus: c.restore}
		if got := archivedInListing(v); got != c.want {
			t.Errorf("class %q, current %v, restore %+v: archived %v, want %v", c.class, c.latest, c.restore, got, c.want)
		}
	}
}

// A HEAD also shows Intelligent-Tiering's archive tiers, which no listing does.
func TestArchivedInHead(t *testing.T) {
	restored := aws.String(`ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"`)
	cases := []struct {
		out  s3.HeadObjectOutput
		want bool
	}{
		{s3.HeadObjectOutput{StorageClass: s3types.StorageClassGlacier}, true},
		{s3.HeadObjectOutput{StorageClass: s3types.StorageClassGlacier, Restore: aws.String(`ongoing-request="true"`)}, true},
		{s3.HeadObjectOutput{StorageClass: s3types.StorageClassGlacier, Restore: restored}, false},
		{s3.HeadObjectOutput{StorageClass: s3types.StorageClassIntelligentTiering, ArchiveStatus: s3types.ArchiveStatusDeepArchiveAccess}, true},
		{s3.HeadObjectOutput{StorageClass: s3types.StorageClassIntelligentTiering, ArchiveStatus: s3types.ArchiveStatusArchiveAccess, Restore: restored}, false},
		{s3.HeadObjectOutput{StorageClass: s3types.StorageClassIntelligentTiering}, false},
		{s3.HeadObjectOutput{StorageClass: s3types.StorageClassGlacierIr}, false},
		{s3.HeadObjectOutput{}, false},
	}
	for _, c := range cases {
		if got := archivedInHead(&c.out); got != c.want {
			t.Errorf("class %q, archive status %q, restore %q: archived %v, want %v", c.out.StorageClass, c.out.ArchiveStatus, aws.ToString(c.out.Restore), got, c.want)
		}
	}
}

// The error names at most MaxNamedArchived objects and counts the rest.
func TestArchivedError_namesTheFirstAndCountsTheRest(t *testing.T) {
	var e ArchivedError
	for range MaxNamedArchived + 3 {
		e.add("k", "GLACIER")
	}
	if len(e.Objects) != MaxNamedArchived || e.Total != MaxNamedArchived+3 {
		t.Errorf("named %d and counted %d, want %d and %d", len(e.Objects), e.Total, MaxNamedArchived, MaxNamedArchived+3)
	}
	if (&ArchivedError{}).orNil() != nil {
		t.Error("an empty ArchivedError is returned as an error")
	}
}

// A HEAD of an SSE-C object without its key is answered 400, with no body to say more.
func TestNeedsCustomerKey(t *testing.T) {
	answer := func(status int) error {
		return &smithy.OperationError{ServiceID: "S3", OperationName: "HeadObject", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.New("BadRequest")},
		}}
	}
	if !needsCustomerKey(answer(http.StatusBadRequest)) {
		t.Error("a 400 answer to a HEAD is not taken for an object that needs its customer key")
	}
	for _, err := range []error{nil, answer(http.StatusForbidden), answer(http.StatusNotFound), errors.New("connection reset")} {
		if needsCustomerKey(err) {
			t.Errorf("%v is taken for an object that needs its customer key", err)
		}
	}
}

// A copy carries a version's own retention only when it outlasts what the new bucket's default would give.
func TestCarriedRetention(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		def   ObjectLock
		until time.Duration // from now; 0 for none
		kept  bool
	}{
		{ObjectLock{Mode: "GOVERNANCE", Days: 1}, 10 * day, true},
		{ObjectLock{Mode: "GOVERNANCE", Days: 30}, 10 * day, false},
		{ObjectLock{Mode: "GOVERNANCE", Days: 10}, 10 * day, false},
		{ObjectLock{}, day, true},
		{ObjectLock{}, -day, false},
		{ObjectLock{Mode: "GOVERNANCE", Days: 1}, 0, false},
	}
	for _, c := range cases {
		m := &mover{dstLockDefault: c.def}
		o := object{}
		if c.until != 0 {
			o.lockMode, o.lockUntil = s3types.ObjectLockModeGovernance, aws.Time(now.Add(c.until))
		}
		m.carriedRetention(&o, now)
		if kept := o.lockUntil != nil && o.lockMode != ""; kept != c.kept {
			t.Errorf("default %+v, own retention ending in %s: carried %v, want %v", c.def, c.until, kept, c.kept)
		}
	}
}
