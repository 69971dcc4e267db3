package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultMaxRetries matches the hashicorp/aws provider, so users moving between the two see the same patience.
const DefaultMaxRetries = 25

// Endpoints overrides service URLs, for local emulators and AWS-compatible services. Empty fields keep the
// SDK's own resolution, which also honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>.
type Endpoints struct {
	KMS string
	S3  string
	EC2 string
	STS string
	RDS string
}

// Config is what the provider block says about reaching AWS. Empty strings mean "not set".
type Config struct {
	Region         string
	Profile        string
	AccessKey      string
	SecretKey      string
	Token          string
	Endpoints      Endpoints
	S3UsePathStyle bool
	// MaxRetries is the number of retries after the first attempt; negative means DefaultMaxRetries.
	MaxRetries int
	AppID      string

	// SharedConfigFiles and SharedCredentialsFiles replace the SDK's default shared files (~/.aws/config,
	// ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE) when set; ~ is expanded.
	SharedConfigFiles      []string
	SharedCredentialsFiles []string
	// AssumeRole is assumed with the base credentials; WebIdentity replaces them (see resolveRoles).
	AssumeRole  *AssumeRole
	WebIdentity *WebIdentity
}

// Clients are built once per provider instance and shared by every resource and data source. Each service
// is reached through the table of the operations the provider calls (see operations.go), not its client.
type Clients struct {
	Region string
	kms    kmsOperations
	s3     s3Operations
	ec2    ec2Operations
	rds    rdsOperations
	sts    stsOperations

	// cfg and conf are what these clients were built from; In builds the clients of another region from
	// them, once, and keeps them in others.
	cfg    aws.Config
	conf   Config
	mu     sync.Mutex
	others map[string]*Clients

	// pools are the resources interrupted creates left in this region (see provenance.go).
	pools leftoverPools
}

// In returns the clients of region: these when it is their region (or region is empty), otherwise clients
// built once for it from the same configuration (credentials, endpoints, retries). A resource is read and
// deleted where its state says it is, which need not be the provider's region any more.
func (c *Clients) In(region string) *Clients {
	if region == "" || region == c.Region {
		return c
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.others[region]; ok {
		return o
	}
	cfg := c.cfg.Copy()
	cfg.Region = region
	o := build(cfg, c.conf)
	if c.others == nil {
		c.others = map[string]*Clients{}
	}
	c.others[region] = o
	return o
}

// maxIdleConnsPerHost is how many idle connections to one endpoint the provider keeps for reuse. Terraform
// runs ten resource operations at once by default and a bucket is read with eight concurrent requests, so
// a refresh has some eighty requests in flight to the S3 endpoint; with the SDK's default of ten, most
// connections were closed as soon as their response arrived and opened again for the next request (a TCP
// and TLS handshake each against AWS).
const maxIdleConnsPerHost = 100

// createTimeout bounds a creating call once it has started (see uninterrupted).
const createTimeout = 2 * time.Minute

// uninterrupted returns the context for a call that creates something. An interrupted apply cancels ctx,
// and a create abandoned in flight may still complete on AWS's side, leaving a resource whose id nobody
// learns: so a create that has started runs to its end, within createTimeout, and the provider saves what
// it made (the steps after it see the interrupt and leave the resource tainted). A create that has not
// started when the interrupt comes does not start.
func uninterrupted(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), createTimeout)
	return ctx, cancel, nil
}

// ErrNoRegion is returned when neither the configuration nor the environment names a region.
var ErrNoRegion = errors.New("no AWS region is configured")

// New loads the SDK configuration (environment, shared files, web identity and instance metadata, unless
// static credentials are given), assumes the roles it names (see resolveRoles) and builds the service
// clients. A role STS refuses is an *AssumeRoleError.
func New(ctx context.Context, c Config) (*Clients, error) {
	cfg, err := loadConfig(ctx, c)
	if err != nil {
		return nil, err
	}
	return build(cfg, c), nil
}

// build makes the service clients of cfg's region.
func build(cfg aws.Config, c Config) *Clients {
	return &Clients{
		Region: cfg.Region,
		kms:    kmsOperationsOf(newKMS(cfg, c)),
		s3:     s3OperationsOf(newS3(cfg, c)),
		ec2:    ec2OperationsOf(newEC2(cfg, c)),
		rds:    rdsOperationsOf(newRDS(cfg, c)),
		sts:    stsOperationsOf(newSTS(cfg, c)),
		cfg:    cfg,
		conf:   c,
	}
}

// loadConfig is the SDK configuration the provider block and the environment describe.
func loadConfig(ctx context.Context, c Config) (aws.Config, error) {
	maxRetries := c.MaxRetries
	if maxRetries < 0 {
		maxRetries = DefaultMaxRetries
	}
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = max(t.MaxIdleConns, maxIdleConnsPerHost)
			t.MaxIdleConnsPerHost = maxIdleConnsPerHost
		})),
		config.WithRetryer(func() aws.Retryer { return newRetryer(maxRetries) }),
	}
	if c.AppID != "" {
		opts = append(opts, config.WithAppID(c.AppID))
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	var cfg aws.Config
	shared, err := sharedFileOptions(c, &cfg)
	if err != nil {
		return aws.Config{}, err
	}
	opts = append(opts, shared...)
	if c.AccessKey != "" || c.SecretKey != "" {
		if c.AccessKey == "" || c.SecretKey == "" {
			return aws.Config{}, errors.New("access_key and secret_key must be set together")
		}
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, c.Token)))
	}
	cfg, err = config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	if err := resolveRoles(ctx, &cfg, c); err != nil {
		return aws.Config{}, err
	}
	return cfg, nil
}

// newRetryer is the SDK's standard retryer with maxRetries retries for every request, except that a refused
// connection is not retried.
//
// Every request gets its own maxRetries, however many other requests fail at the same time: the SDK's default
// retry quota (a token bucket of 500 shared by every request of a client, 14 tokens a retry) is turned off
// with ratelimit.None. A plan refreshes many resources at once over one client, each with several requests in
// flight, so a burst of transient errors (a 502 from a proxy, a few seconds of 503) drained that quota in some
// 35 retries, and every later retry of every resource then failed at once with "retry quota exceeded",
// whatever max_retries said, long after the endpoint had recovered. hashicorp/aws made the same choice for
// the same reason (terraform-provider-aws#36094, #34669, fixed by #36467), as the SDK's guide suggests for
// clients that were retrying freely before. What keeps retries from piling onto a struggling endpoint is
// each request's own backoff, and max_retries, which still ends every request. The SDK's backoff is kept as
// it is, with full jitter: it starts at 50 ms (1 s after a throttling error) and doubles up to a 20 s
// ceiling, so a request rides out an outage of 3.5 s within about eight retries (twelve at worst in 200,000
// simulated runs), and at the default of 25 retries an outage of minutes.
//
// A refused connection means nothing listens at the endpoint (a wrong endpoints URL, an emulator that is not
// running): retrying it 25 times with backoff kept users waiting about two and a half minutes for an answer
// the first attempt already had. Dropped connections, timeouts and DNS failures are still retried, since
// those do happen to a healthy endpoint.
func newRetryer(maxRetries int) aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxRetries + 1
		o.RateLimiter = ratelimit.None
		o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(notRefused)}, o.Retryables...)
	})
}

// notRefused tells the retryer not to retry a refused connection, and leaves every other error to the
// SDK's own checks.
func notRefused(err error) aws.Ternary {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// Unreachable reports whether err is a request that never reached its endpoint (the connection was refused,
// the host name did not resolve, or the connection could not be made), with the URL it was sent to and the
// network's reason, so that diagnostics can name the endpoint first instead of blaming the credentials.
func Unreachable(err error) (endpoint, reason string, ok bool) {
	var opErr *net.OpError
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "connection refused"
	case errors.As(err, &dnsErr):
		reason = "no such host " + dnsErr.Name
	case errors.As(err, &opErr) && opErr.Op == "dial":
		reason = opErr.Err.Error()
	default:
		return "", "", false
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		endpoint = urlErr.URL
		if u, perr := url.Parse(urlErr.URL); perr == nil {
			// The query names the operation and the path the object; the endpoint is what the user configured.
			endpoint = u.Scheme + "://" + u.Host
		}
	}
	return endpoint, reason, true
}

// The service clients, each with the endpoint the provider block gives it. They are separate functions so
// that tests can look at a client's options, which the operation tables do not keep.

func newKMS(cfg aws.Config, c Config) *kms.Client {
	return kms.NewFromConfig(cfg, func(o *kms.Options) {
		o.BaseEndpoint = endpoint(c.Endpoints.KMS)
	})
}

func newS3(cfg aws.Config, c Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = endpoint(c.Endpoints.S3)
		o.UsePathStyle = c.S3UsePathStyle
	})
}

func newEC2(cfg aws.Config, c Config) *ec2.Client {
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.BaseEndpoint = endpoint(c.Endpoints.EC2)
	})
}

func newRDS(cfg aws.Config, c Config) *rds.Client {
	return rds.NewFromConfig(cfg, func(o *rds.Options) {
		o.BaseEndpoint = endpoint(c.Endpoints.RDS)
	})
}

func newSTS(cfg aws.Config, c Config) *sts.Client {
	return sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.BaseEndpoint = endpoint(c.Endpoints.STS)
	})
}

func endpoint(url string) *string {
	if url == "" {
		return nil
	}
	return aws.String(url)
}

// Identity is the caller the credentials belong to.
type Identity struct {
	Account string
	ARN     string
}

// CallerIdentity asks STS who the credentials belong to; it is how the provider validates them once.
func (c *Clients) CallerIdentity(ctx context.Context) (Identity, error) {
	out, err := c.sts.getCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, err
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}
