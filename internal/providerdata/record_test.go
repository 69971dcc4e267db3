package providerdata

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// recordedState is the state of a created resource, as Record reads it.
func recordedState(t *testing.T) *tfsdk.State {
	t.Helper()
	ctx := context.Background()
	s := schema.Schema{Attributes: map[string]schema.Attribute{
		"id":           schema.StringAttribute{Computed: true},
		"region":       schema.StringAttribute{Computed: true},
		"jurisdiction": schema.StringAttribute{Computed: true},
	}}
	typ := s.Type().TerraformType(ctx)
	return &tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, map[string]tftypes.Value{
		"id":           tftypes.NewValue(tftypes.String, "key-1"),
		"region":       tftypes.NewValue(tftypes.String, "eu-central-1"),
		"jurisdiction": tftypes.NewValue(tftypes.String, "EU"),
	})}
}

// An event no sink took is an error carrying the whole event, never a claim that the file holds it; a sink
// that failed while the other took the event is a warning that says which holds it.
func TestRecord_warningSaysWhereTheEventIs(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer refusing.Close()
	accepting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer accepting.Close()
	noRetry := audit.Retry{RetryMax: 0, WaitMin: time.Millisecond, WaitMax: time.Millisecond, Timeout: time.Second}
	for name, tc := range map[string]struct {
		path, webhook string
		err           bool
		want, notWant []string
	}{
		"file is a directory": {
			path:    t.TempDir(),
			err:     true,
			want:    []string{"no audit sink took its event", `"action":"create"`, `"cloud_id":"key-1"`},
			notWant: []string{"is in the audit file"},
		},
		"file is a directory, webhook takes it": {
			path:    t.TempDir(),
			webhook: accepting.URL,
			want:    []string{"the audit webhook received its event", `"action":"create"`},
			notWant: []string{"is in the audit file"},
		},
		"webhook refuses, file holds it and the outbox queues it": {
			path:    filepath.Join(t.TempDir(), "audit.jsonl"),
			webhook: refusing.URL,
			want: []string{"is in the audit file (hash ", "queued in the outbox ", "audit.jsonl.outbox",
				"will be delivered", "400 Bad Request"},
			notWant: []string{`"action":"create"`},
		},
		"webhook refuses, outbox damaged": {
			path:    damagedOutbox(t),
			webhook: refusing.URL,
			want:    []string{"The event is in the audit file (hash ", "neither delivered to the webhook nor queued"},
			notWant: []string{"queued in the outbox ", "will be delivered"},
		},
		"webhook refuses, no file": {
			webhook: refusing.URL,
			err:     true,
			want:    []string{"no audit sink took its event", `"action":"create"`},
			notWant: []string{"is in the audit file"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			d := New()
			d.Audit = audit.NewTrail(tc.path, tc.webhook, "", noRetry)
			d.Caller.Set(awsIdentityForTest())
			var diags diag.Diagnostics
			d.Record(context.Background(), "gdpr_key", audit.Create, recordedState(t), &diags)
			if len(diags) != 1 || diags.HasError() != tc.err {
				t.Fatalf("want one diagnostic, an error: %v; got %v", tc.err, diags)
			}
			detail := diags[0].Detail()
			for _, w := range tc.want {
				if !strings.Contains(detail, w) {
					t.Errorf("the warning does not say %q:\n%s", w, detail)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(detail, w) {
					t.Errorf("the warning says %q, which is not so:\n%s", w, detail)
				}
			}
		})
	}
}

// damagedOutbox returns the path of an audit file whose outbox holds a line cut short.
func damagedOutbox(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path+audit.OutboxSuffix, []byte(`{"time":"2025-05-01T12:00:00Z","act`), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func awsIdentityForTest() awsapi.Identity {
	return awsapi.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/test"}
}
