package awsapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// AssumeRole is the role the provider assumes with its base credentials, as the assume_role block of
// hashicorp/aws describes it. Empty fields are left to STS.
type AssumeRole struct {
	RoleARN           string
	SessionName       string
	ExternalID        string
	Duration          time.Duration
	Policy            string
	PolicyARNs        []string
	Tags              map[string]string
	TransitiveTagKeys []string
	SourceIdentity    string
}

// WebIdentity is a role assumed with an OpenID Connect token instead of base credentials
// (assume_role_with_web_identity, or HCP Terraform's dynamic credentials). Exactly one of Token and
// TokenFile is set; a token file is read again on every refresh, since whoever writes it renews it.
type WebIdentity struct {
	RoleARN     string
	SessionName string
	Token       string
	TokenFile   string
	Duration    time.Duration
	// Source names where the role came from, for error messages: the provider block, or the HCP
	// Terraform variable that named it.
	Source string
}

// AssumeRoleError is a role that STS would not let the provider assume when it was configured.
type AssumeRoleError struct {
	RoleARN string
	// Source is the argument or environment variable that named the role.
	Source string
	Err    error
}

func (e *AssumeRoleError) Error() string {
	return fmt.Sprintf("assuming role %s (%s): %v", e.RoleARN, e.Source, e.Err)
}

func (e *AssumeRoleError) Unwrap() error { return e.Err }

// TokenFileError is a web identity token file that could not be read when the provider was configured,
// so STS was never asked to assume the role.
type TokenFileError struct {
	Path    string
	RoleARN string
	Err     error
}

func (e *TokenFileError) Error() string {
	return fmt.Sprintf("reading the web identity token file %s: %v", e.Path, e.Err)
}

func (e *TokenFileError) Unwrap() error { return e.Err }

// Code is the error code STS answered with (AccessDenied, InvalidIdentityToken, ...), or a short reason
// when the request never reached STS, for the summary of a diagnostic.
func (e *AssumeRoleError) Code() string {
	var apiErr smithy.APIError
	if errors.As(e.Err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if _, reason, ok := Unreachable(e.Err); ok {
		return reason
	}
	return "the request failed"
}

// The environment variables of HCP Terraform's dynamic provider credentials for AWS. A workspace sets
// TFC_AWS_PROVIDER_AUTH and the role ARNs; the run gets a workload identity token.
const (
	EnvTFCProviderAuth = "TFC_AWS_PROVIDER_AUTH"
	EnvTFCRunRoleARN   = "TFC_AWS_RUN_ROLE_ARN"
	EnvTFCPlanRoleARN  = "TFC_AWS_PLAN_ROLE_ARN"
	EnvTFCApplyRoleARN = "TFC_AWS_APPLY_ROLE_ARN"
	EnvTFCToken        = "TFC_WORKLOAD_IDENTITY_TOKEN"
	// EnvTFCTokenAWS is the token HCP Terraform generates for a TFC_WORKLOAD_IDENTITY_AUDIENCE_AWS
	// audience: tagged variables end in _<TAG>.
	EnvTFCTokenAWS = "TFC_WORKLOAD_IDENTITY_TOKEN_AWS"
	EnvTFCRunID    = "TFC_RUN_ID"
)

// DefaultSessionName names the STS sessions the provider opens when nothing else names them, so that
// CloudTrail shows which tool acted.
const DefaultSessionName = "terraform-provider-gdpr"

// sessionNamePattern is compiled on first use, under HCP Terraform's dynamic credentials only, rather than at
// every process start: its counted repetition compiles to a large program.
var sessionNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{2,64}$`) })

// DynamicCredentials reads HCP Terraform's dynamic provider credentials from the environment: nil when
// TFC_AWS_PROVIDER_AUTH is not true, or when the run carries no workload identity token in the
// environment (HCP Terraform's own agents hand it to the AWS SDK in a shared configuration file instead,
// which the SDK's default chain reads). The role is the one of the run's phase (TFC_AWS_PLAN_ROLE_ARN or
// TFC_AWS_APPLY_ROLE_ARN, by the token's terraform_run_phase claim) when the workspace sets it, else
// TFC_AWS_RUN_ROLE_ARN.
func DynamicCredentials(getenv func(string) string) (*WebIdentity, error) {
	if !strings.EqualFold(strings.TrimSpace(getenv(EnvTFCProviderAuth)), "true") {
		return nil, nil
	}
	token := getenv(EnvTFCTokenAWS)
	if token == "" {
		token = getenv(EnvTFCToken)
	}
	if token == "" {
		return nil, nil
	}
	source, role := EnvTFCRunRoleARN, getenv(EnvTFCRunRoleARN)
	switch tokenRunPhase(token) {
	case "plan":
		if v := getenv(EnvTFCPlanRoleARN); v != "" {
			source, role = EnvTFCPlanRoleARN, v
		}
	case "apply":
		if v := getenv(EnvTFCApplyRoleARN); v != "" {
			source, role = EnvTFCApplyRoleARN, v
		}
	}
	if role == "" {
		return nil, fmt.Errorf("%s is true and the run has a workload identity token, but no role ARN applies to "+
			"this run: set %s, or %s and %s", EnvTFCProviderAuth, EnvTFCRunRoleARN, EnvTFCPlanRoleARN, EnvTFCApplyRoleARN)
	}
	session := DefaultSessionName
	if id := getenv(EnvTFCRunID); sessionNamePattern().MatchString(id) {
		session = id
	}
	return &WebIdentity{RoleARN: strings.TrimSpace(role), SessionName: session, Token: strings.TrimSpace(token), Source: source}, nil
}

// tokenRunPhase is the terraform_run_phase claim of an HCP Terraform workload identity token, or "" when
// the token is not a JWT that carries one. The claim only picks which configured role to ask for: STS
// verifies the token itself, and the role's trust policy decides what the token may assume.
func tokenRunPhase(token string) string {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Phase string `json:"terraform_run_phase"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Phase
}

// ExpandHome replaces a leading ~ with the user's home directory, as hashicorp/aws does for
// shared_config_files and shared_credentials_files.
func ExpandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expanding %q: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

func expandAll(paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		e, err := ExpandHome(p)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// sharedFileOptions are the load options of shared_config_files and shared_credentials_files, and of the
// STS endpoint override for the roles a shared profile assumes (role_arn with source_profile, or with
// web_identity_token_file, as HCP Terraform's generated files say): the SDK builds those STS clients
// itself, and without these they would ignore endpoints.sts. final is filled in once the configuration is
// loaded; a profile's web identity client is built from it on first use.
func sharedFileOptions(c Config, final *aws.Config) ([]func(*config.LoadOptions) error, error) {
	var opts []func(*config.LoadOptions) error
	if len(c.SharedConfigFiles) > 0 {
		files, err := expandAll(c.SharedConfigFiles)
		if err != nil {
			return nil, err
		}
		opts = append(opts, config.WithSharedConfigFiles(files))
	}
	if len(c.SharedCredentialsFiles) > 0 {
		files, err := expandAll(c.SharedCredentialsFiles)
		if err != nil {
			return nil, err
		}
		opts = append(opts, config.WithSharedCredentialsFiles(files))
	}
	if c.Endpoints.STS != "" {
		opts = append(opts,
			config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
				if client, ok := o.Client.(*sts.Client); ok {
					so := client.Options()
					so.BaseEndpoint = aws.String(c.Endpoints.STS)
					o.Client = sts.New(so)
				}
			}),
			config.WithWebIdentityRoleCredentialOptions(func(o *stscreds.WebIdentityRoleOptions) {
				o.Client = &lateSTS{cfg: final, conf: c}
			}))
	}
	return opts, nil
}

// lateSTS is an STS client built on first use from a configuration that is complete by then: the SDK asks
// for a profile's web identity client while it is still loading the configuration.
type lateSTS struct {
	cfg    *aws.Config
	conf   Config
	once   sync.Once
	client *sts.Client
}

func (l *lateSTS) AssumeRoleWithWebIdentity(ctx context.Context, in *sts.AssumeRoleWithWebIdentityInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	l.once.Do(func() { l.client = newSTS(*l.cfg, l.conf) })
	return l.client.AssumeRoleWithWebIdentity(ctx, in, optFns...)
}

// tokenFile is a web identity token file, read on every call. It reads the file itself rather than
// through stscreds.IdentityTokenFile, which flattens the read error into text: a *TokenFileError keeps
// the file and the cause, so a missing file is not reported as STS refusing the role.
type tokenFile string

func (f tokenFile) GetIdentityToken() ([]byte, error) {
	b, err := os.ReadFile(string(f))
	if err != nil {
		return nil, &TokenFileError{Path: string(f), Err: err}
	}
	return b, nil
}

// tokenString is a web identity token given as a value rather than a file.
type tokenString string

func (t tokenString) GetIdentityToken() ([]byte, error) { return []byte(t), nil }

// webIdentityProvider assumes w's role with its token through an STS client of cfg (the endpoints.sts
// override, the CA bundle, the retries).
func webIdentityProvider(cfg aws.Config, c Config, w *WebIdentity) aws.CredentialsProvider {
	var token stscreds.IdentityTokenRetriever = tokenString(w.Token)
	if w.TokenFile != "" {
		// The file is read on every Retrieve, that is on every refresh of the cached credentials, so a
		// token that its writer renews is picked up.
		token = tokenFile(w.TokenFile)
	}
	session := w.SessionName
	if session == "" {
		session = DefaultSessionName
	}
	return aws.NewCredentialsCache(stscreds.NewWebIdentityRoleProvider(newSTS(cfg, c), w.RoleARN, token,
		func(o *stscreds.WebIdentityRoleOptions) {
			o.RoleSessionName = session
			o.Duration = w.Duration
		}))
}

// assumeRoleProvider assumes r's role with cfg's credentials, through an STS client of cfg.
func assumeRoleProvider(cfg aws.Config, c Config, r *AssumeRole) aws.CredentialsProvider {
	return aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(newSTS(cfg, c), r.RoleARN,
		func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = r.SessionName
			if o.RoleSessionName == "" {
				o.RoleSessionName = DefaultSessionName
			}
			o.Duration = r.Duration
			if r.ExternalID != "" {
				o.ExternalID = aws.String(r.ExternalID)
			}
			if r.Policy != "" {
				o.Policy = aws.String(r.Policy)
			}
			for _, arn := range r.PolicyARNs {
				o.PolicyARNs = append(o.PolicyARNs, ststypes.PolicyDescriptorType{Arn: aws.String(arn)})
			}
			for k, v := range r.Tags {
				o.Tags = append(o.Tags, ststypes.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
			o.TransitiveTagKeys = r.TransitiveTagKeys
			if r.SourceIdentity != "" {
				o.SourceIdentity = aws.String(r.SourceIdentity)
			}
		}))
}

// resolveRoles puts the roles c names on top of cfg's base credentials, in hashicorp/aws's order: a web
// identity role (from the provider block, else from HCP Terraform's environment) replaces the base
// credentials, and assume_role is then assumed with whatever the base credentials are. Each role is
// assumed here, once, so that a role STS refuses is reported when the provider is configured, naming it.
func resolveRoles(ctx context.Context, cfg *aws.Config, c Config) error {
	web := c.WebIdentity
	if web == nil && !c.explicitCredentials() {
		dyn, err := DynamicCredentials(os.Getenv)
		if err != nil {
			return err
		}
		web = dyn
	}
	if web != nil {
		cfg.Credentials = webIdentityProvider(*cfg, c, web)
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			// A token file that cannot be read stops the retrieval before any request to STS.
			var file *TokenFileError
			if errors.As(err, &file) {
				file.RoleARN = web.RoleARN
				return file
			}
			return &AssumeRoleError{RoleARN: web.RoleARN, Source: web.Source, Err: err}
		}
	}
	if r := c.AssumeRole; r != nil {
		cfg.Credentials = assumeRoleProvider(*cfg, c, r)
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return &AssumeRoleError{RoleARN: r.RoleARN, Source: "assume_role.role_arn", Err: err}
		}
	}
	return nil
}

// explicitCredentials tells whether the provider block itself says where the credentials come from;
// those win over HCP Terraform's environment, as provider arguments win over the environment in
// hashicorp/aws.
func (c Config) explicitCredentials() bool {
	return c.AccessKey != "" || c.Profile != "" || len(c.SharedConfigFiles) > 0 || len(c.SharedCredentialsFiles) > 0
}
