package awsapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// stsCall is one request the fake STS received: its action, the access key id that signed it ("" for an
// unsigned AssumeRoleWithWebIdentity) and its form.
type stsCall struct {
	Action, Key string
	Form        url.Values
}

// fakeSTS answers AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity as STS does, recording each
// call. The n-th role it hands out has the access key id ASIAFAKE<n>, valid for lifetime; deny makes it
// refuse every role with AccessDenied.
type fakeSTS struct {
	URL      string
	lifetime time.Duration
	deny     bool

	mu    sync.Mutex
	calls []stsCall
}

var credentialKey = regexp.MustCompile(`Credential=([^/]+)/`)

func newFakeSTS(t *testing.T, lifetime time.Duration) *fakeSTS {
	f := &fakeSTS{lifetime: lifetime}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		key := ""
		if m := credentialKey.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			key = m[1]
		}
		action := form.Get("Action")
		f.mu.Lock()
		f.calls = append(f.calls, stsCall{Action: action, Key: key, Form: form})
		n := len(f.calls)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		switch {
		case action == "GetCallerIdentity":
			fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>`+
				`<Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`)
		case f.deny:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:`+
				action+`</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
		default:
			fmt.Fprintf(w, `<%[1]sResponse><%[1]sResult><Credentials><AccessKeyId>ASIAFAKE%[2]d</AccessKeyId>`+
				`<SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>%[3]s</Expiration>`+
				`</Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId>`+
				`</AssumedRoleUser></%[1]sResult></%[1]sResponse>`, action, n, time.Now().Add(f.lifetime).UTC().Format(time.RFC3339))
		}
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *fakeSTS) Calls() []stsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeSTS) config(c Config) Config {
	c.Region = "eu-central-1"
	c.MaxRetries = 0
	c.Endpoints.STS = f.URL
	return c
}

const testRole = "arn:aws:iam::123456789012:role/deployer"

// TestWebIdentity_tokenFileIsReadOnEveryRefresh proves that a web identity token file is read again each
// time the cached credentials are refreshed: the fake STS hands out credentials that expire in a second,
// the file changes in between, and the second AssumeRoleWithWebIdentity carries the new token, after which
// the next call is signed with the second set of credentials.
func TestWebIdentity_tokenFileIsReadOnEveryRefresh(t *testing.T) {
	isolate(t)
	sts := newFakeSTS(t, time.Second)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("token-A"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(context.Background(), sts.config(Config{WebIdentity: &WebIdentity{RoleARN: testRole, TokenFile: file}}))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("token-B"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := c.CallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	var tokens []string
	calls := sts.Calls()
	for _, call := range calls {
		if call.Action == "AssumeRoleWithWebIdentity" {
			tokens = append(tokens, call.Form.Get("WebIdentityToken"))
		}
	}
	if !slices.Equal(tokens, []string{"token-A", "token-B"}) {
		t.Errorf("tokens sent to STS = %q, want the file's content at configure and again after it changed: [token-A token-B]", tokens)
	}
	if last := calls[len(calls)-1]; last.Action != "GetCallerIdentity" || last.Key != "ASIAFAKE2" {
		t.Errorf("last call = %s signed with %q, want GetCallerIdentity signed with the refreshed ASIAFAKE2", last.Action, last.Key)
	}
}

// TestWebIdentity_unreadableTokenFileIsNamedBeforeSTS proves that a token file that cannot be read fails
// the configuration with an error naming the file and the read error, not as a role STS refused: STS is
// never called.
func TestWebIdentity_unreadableTokenFileIsNamedBeforeSTS(t *testing.T) {
	isolate(t)
	sts := newFakeSTS(t, time.Hour)
	dir := t.TempDir()
	for name, file := range map[string]string{"missing": filepath.Join(dir, "missing-token"), "a directory": dir} {
		_, err := New(context.Background(), sts.config(Config{WebIdentity: &WebIdentity{RoleARN: testRole, TokenFile: file}}))
		var tf *TokenFileError
		var ar *AssumeRoleError
		switch {
		case !errors.As(err, &tf) || errors.As(err, &ar):
			t.Errorf("%s: New = %v, want a *TokenFileError and no *AssumeRoleError", name, err)
		case tf.Path != file || tf.RoleARN != testRole || !strings.HasPrefix(err.Error(), "reading the web identity token file "+file+": "):
			t.Errorf("%s: New = %q (role %q), want it to name the file %s, the role, and the read error first", name, err, tf.RoleARN, file)
		}
	}
	if _, err := New(context.Background(), sts.config(Config{WebIdentity: &WebIdentity{RoleARN: testRole, TokenFile: filepath.Join(dir, "missing-token")}})); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("New = %v, want the read error (fs.ErrNotExist) kept", err)
	}
	if calls := sts.Calls(); len(calls) != 0 {
		t.Errorf("STS was called %d times (%v), want none: the token could not be read", len(calls), calls[0].Action)
	}
}

// TestAssumeRole_withBaseCredentials proves that assume_role is assumed with the base credentials, with
// every option the block sets, and that later calls are signed with the role's credentials.
func TestAssumeRole_withBaseCredentials(t *testing.T) {
	isolate(t)
	sts := newFakeSTS(t, time.Hour)
	c, err := New(context.Background(), sts.config(Config{AccessKey: "AKIABASE", SecretKey: "s",
		AssumeRole: &AssumeRole{
			RoleARN: testRole, SessionName: "ci", ExternalID: "ext-123", Duration: time.Hour,
			Policy: `{"Version":"2012-10-17"}`, PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
			Tags: map[string]string{"team": "privacy"}, TransitiveTagKeys: []string{"team"}, SourceIdentity: "alice",
		}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := sts.Calls()
	if len(calls) != 2 || calls[0].Action != "AssumeRole" || calls[1].Action != "GetCallerIdentity" {
		t.Fatalf("calls = %+v, want AssumeRole then GetCallerIdentity", calls)
	}
	if calls[0].Key != "AKIABASE" {
		t.Errorf("AssumeRole signed with %q, want the base credentials AKIABASE", calls[0].Key)
	}
	if calls[1].Key != "ASIAFAKE1" {
		t.Errorf("GetCallerIdentity signed with %q, want the role's ASIAFAKE1", calls[1].Key)
	}
	want := map[string]string{
		"RoleArn": testRole, "RoleSessionName": "ci", "ExternalId": "ext-123", "DurationSeconds": "3600",
		"Policy": `{"Version":"2012-10-17"}`, "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"Tags.member.1.Key": "team", "Tags.member.1.Value": "privacy", "TransitiveTagKeys.member.1": "team",
		"SourceIdentity": "alice",
	}
	for k, v := range want {
		if got := calls[0].Form.Get(k); got != v {
			t.Errorf("AssumeRole %s = %q, want %q", k, got, v)
		}
	}
}

// TestAssumeRole_refusedNamesTheRole proves that a role STS refuses fails New with an AssumeRoleError that
// names the role, where it was configured, and STS's error code.
func TestAssumeRole_refusedNamesTheRole(t *testing.T) {
	isolate(t)
	sts := newFakeSTS(t, time.Hour)
	sts.deny = true
	_, err := New(context.Background(), sts.config(Config{AccessKey: "a", SecretKey: "b", AssumeRole: &AssumeRole{RoleARN: testRole}}))
	var ar *AssumeRoleError
	if !errors.As(err, &ar) {
		t.Fatalf("err = %v, want an AssumeRoleError", err)
	}
	if ar.RoleARN != testRole || ar.Source != "assume_role.role_arn" || ar.Code() != "AccessDenied" {
		t.Errorf("AssumeRoleError = {%q %q %q}, want {%q assume_role.role_arn AccessDenied}", ar.RoleARN, ar.Source, ar.Code(), testRole)
	}
	if !strings.Contains(err.Error(), "not authorized to perform: sts:AssumeRole") {
		t.Errorf("err = %v, want STS's message", err)
	}
}

// jwt is an unsigned token with the given claims, enough for the provider, which reads only the phase.
func jwt(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(claims)) + ".sig"
}

func TestDynamicCredentials(t *testing.T) {
	plan, apply := jwt(`{"terraform_run_phase":"plan"}`), jwt(`{"terraform_run_phase":"apply"}`)
	const runRole, planRole, applyRole = "arn:aws:iam::123456789012:role/run", "arn:aws:iam::123456789012:role/plan", "arn:aws:iam::123456789012:role/apply"
	tests := []struct {
		name         string
		env          map[string]string
		role, source string
		session      string
		token        string
		err          string
	}{
		{name: "not enabled", env: map[string]string{EnvTFCRunRoleARN: runRole, EnvTFCToken: plan}},
		{name: "enabled without a token in the environment leaves the SDK's chain", env: map[string]string{EnvTFCProviderAuth: "true", EnvTFCRunRoleARN: runRole}},
		{name: "run role", env: map[string]string{EnvTFCProviderAuth: "true", EnvTFCRunRoleARN: runRole, EnvTFCToken: "opaque", EnvTFCRunID: "run-abc123"},
			role: runRole, source: EnvTFCRunRoleARN, session: "run-abc123", token: "opaque"},
		{name: "plan role in the plan phase", env: map[string]string{EnvTFCProviderAuth: "true", EnvTFCRunRoleARN: runRole, EnvTFCPlanRoleARN: planRole, EnvTFCApplyRoleARN: applyRole, EnvTFCToken: plan},
			role: planRole, source: EnvTFCPlanRoleARN, session: DefaultSessionName, token: plan},
		{name: "apply role in the apply phase", env: map[string]string{EnvTFCProviderAuth: "TRUE", EnvTFCPlanRoleARN: planRole, EnvTFCApplyRoleARN: applyRole, EnvTFCToken: apply},
			role: applyRole, source: EnvTFCApplyRoleARN, session: DefaultSessionName, token: apply},
		{name: "phase role unset falls back to the run role", env: map[string]string{EnvTFCProviderAuth: "true", EnvTFCRunRoleARN: runRole, EnvTFCApplyRoleARN: applyRole, EnvTFCToken: plan},
			role: runRole, source: EnvTFCRunRoleARN, session: DefaultSessionName, token: plan},
		{name: "AWS-tagged token first", env: map[string]string{EnvTFCProviderAuth: "true", EnvTFCRunRoleARN: runRole, EnvTFCToken: "other", EnvTFCTokenAWS: "aws"},
			role: runRole, source: EnvTFCRunRoleARN, session: DefaultSessionName, token: "aws"},
		{name: "run id that is not a session name", env: map[string]string{EnvTFCProviderAuth: "true", EnvTFCRunRoleARN: runRole, EnvTFCToken: "t", EnvTFCRunID: "a b"},
			role: runRole, source: EnvTFCRunRoleARN, session: DefaultSessionName, token: "t"},
		{name: "no role for the phase", env: map[string]string{EnvTFCProviderAuth: "true", EnvTFCApplyRoleARN: applyRole, EnvTFCToken: plan},
			err: "no role ARN applies to this run: set TFC_AWS_RUN_ROLE_ARN, or TFC_AWS_PLAN_ROLE_ARN and TFC_AWS_APPLY_ROLE_ARN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := DynamicCredentials(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.role == "" {
				if w != nil {
					t.Fatalf("got %+v, want none", w)
				}
				return
			}
			if w == nil || w.RoleARN != tc.role || w.Source != tc.source || w.SessionName != tc.session || w.Token != tc.token {
				t.Fatalf("got %+v, want role %s from %s, session %s, token %s", w, tc.role, tc.source, tc.session, tc.token)
			}
		})
	}
}

// TestDynamicCredentials_fromTheEnvironment proves that HCP Terraform's variables make New assume the run
// role with the token, and that credentials in the provider block win over them.
func TestDynamicCredentials_fromTheEnvironment(t *testing.T) {
	isolate(t)
	t.Setenv(EnvTFCProviderAuth, "true")
	t.Setenv(EnvTFCRunRoleARN, testRole)
	t.Setenv(EnvTFCToken, "hcp-token")
	t.Setenv(EnvTFCTokenAWS, "")
	t.Setenv(EnvTFCRunID, "run-1")
	sts := newFakeSTS(t, time.Hour)
	if _, err := New(context.Background(), sts.config(Config{})); err != nil {
		t.Fatal(err)
	}
	calls := sts.Calls()
	if len(calls) != 1 || calls[0].Action != "AssumeRoleWithWebIdentity" || calls[0].Form.Get("WebIdentityToken") != "hcp-token" ||
		calls[0].Form.Get("RoleArn") != testRole || calls[0].Form.Get("RoleSessionName") != "run-1" {
		t.Fatalf("calls = %+v, want one AssumeRoleWithWebIdentity of %s with hcp-token as run-1", calls, testRole)
	}

	explicit := newFakeSTS(t, time.Hour)
	if _, err := New(context.Background(), explicit.config(Config{AccessKey: "a", SecretKey: "b"})); err != nil {
		t.Fatal(err)
	}
	if calls := explicit.Calls(); len(calls) != 0 {
		t.Errorf("with access_key set, calls = %+v, want none: provider arguments win over the environment", calls)
	}
}

// TestSharedConfigFile_webIdentityProfileUsesTheSTSEndpoint proves that a shared configuration file of the
// kind HCP Terraform writes for each dynamic credentials configuration (role_arn and
// web_identity_token_file in the default profile), named in shared_config_files, is used, through
// endpoints.sts, and that ~ is expanded.
func TestSharedConfigFile_webIdentityProfileUsesTheSTSEndpoint(t *testing.T) {
	isolate(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	token := filepath.Join(home, "token")
	if err := os.WriteFile(token, []byte("alias-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := "[default]\nrole_arn = " + testRole + "\nweb_identity_token_file = " + token + "\nrole_session_name = alias\n"
	if err := os.WriteFile(filepath.Join(home, "alias.config"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	sts := newFakeSTS(t, time.Hour)
	c, err := New(context.Background(), sts.config(Config{SharedConfigFiles: []string{"~/alias.config"}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CallerIdentity(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := sts.Calls()
	if len(calls) != 2 || calls[0].Action != "AssumeRoleWithWebIdentity" || calls[0].Form.Get("WebIdentityToken") != "alias-token" ||
		calls[1].Key != "ASIAFAKE1" {
		t.Fatalf("calls = %+v, want AssumeRoleWithWebIdentity with alias-token, then GetCallerIdentity signed with ASIAFAKE1", calls)
	}
}

func TestExpandHome(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	for in, want := range map[string]string{"~/.aws/config": "/home/u/.aws/config", "~": "/home/u", "/etc/x": "/etc/x", "~other/x": "~other/x", "rel": "rel"} {
		if got, err := ExpandHome(in); err != nil || got != want {
			t.Errorf("ExpandHome(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
