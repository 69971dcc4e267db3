package awsapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// fakeRDS records the forms and the Authorization header of the requests it receives, and answers each with
// the next of answers (status and body), then 200 with an empty result.
type fakeRDS struct {
	mu      sync.Mutex
	forms   []url.Values
	auth    []string
	answers []fakeAnswer
}

type fakeAnswer struct {
	status int
	body   string
}

func (f *fakeRDS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	f.mu.Lock()
	f.forms = append(f.forms, form)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	a := fakeAnswer{http.StatusOK, `<CopyDBSnapshotResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><CopyDBSnapshotResult><DBSnapshot/></CopyDBSnapshotResult></CopyDBSnapshotResponse>`}
	if len(f.answers) > 0 {
		a, f.answers = f.answers[0], f.answers[1:]
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func fakeRDSClients(t *testing.T, f *fakeRDS, maxRetries int) (*Clients, *rds.Client) {
	t.Helper()
	isolate(t)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	conf := Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b", Endpoints: Endpoints{RDS: srv.URL}, MaxRetries: maxRetries}
	c, err := New(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	return c, newRDS(cfg, conf)
}

// TestCopyDBSnapshot_sendsWhatTheSDKSends sends the same copy through the provider's CopyDBSnapshot and
// through the SDK's: RDS must receive the same parameters, signed for RDS in the clients' region.
func TestCopyDBSnapshot_sendsWhatTheSDKSends(t *testing.T) {
	f := &fakeRDS{}
	c, sdk := fakeRDSClients(t, f, 0)
	in := &rds.CopyDBSnapshotInput{
		SourceDBSnapshotIdentifier: aws.String("gdpr-move-customers-db-abc"),
		TargetDBSnapshotIdentifier: aws.String("gdpr-move-customers-db-abc-1234abcd"),
		KmsKeyId:                   aws.String(testDatabaseKey),
		CopyTags:                   aws.Bool(true),
		Tags:                       []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("crm")}},
	}
	if _, err := c.rds.copyDBSnapshot(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.CopyDBSnapshot(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if len(f.forms) != 2 {
		t.Fatalf("RDS received %d requests, want 2", len(f.forms))
	}
	if got, want := f.forms[0].Encode(), f.forms[1].Encode(); got != want {
		t.Errorf("the provider sent\n%s\nthe SDK sends\n%s", got, want)
	}
	if !strings.Contains(f.auth[0], "/eu-central-1/rds/aws4_request") {
		t.Errorf("the request is not signed for RDS in eu-central-1: %q", f.auth[0])
	}
}

// TestCopyDBSnapshot_errorsAsTheSDKReportsThem: RDS's error reaches the caller with its code and the
// operation's name, and a transient error is retried as any other call's.
func TestCopyDBSnapshot_errorsAsTheSDKReportsThem(t *testing.T) {
	exists := `<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type>` +
		`<Code>DBSnapshotAlreadyExists</Code><Message>Cannot create the snapshot because a snapshot with the identifier x already exists.</Message></Error>` +
		`<RequestId>r-1</RequestId></ErrorResponse>`
	f := &fakeRDS{answers: []fakeAnswer{{http.StatusServiceUnavailable, ""}, {http.StatusBadRequest, exists}}}
	c, _ := fakeRDSClients(t, f, 2)
	_, err := c.rds.copyDBSnapshot(context.Background(), &rds.CopyDBSnapshotInput{
		SourceDBSnapshotIdentifier: aws.String("a"), TargetDBSnapshotIdentifier: aws.String("x"),
	})
	if !IsAlreadyExists(err) {
		t.Errorf("error %v is not DBSnapshotAlreadyExists", err)
	}
	if op := Operation(err); op != "rds:CopyDBSnapshot" {
		t.Errorf("the error names the operation %q, want rds:CopyDBSnapshot", op)
	}
	if len(f.forms) != 2 {
		t.Errorf("RDS received %d requests, want 2: the 503 retried, the refusal not", len(f.forms))
	}
}
