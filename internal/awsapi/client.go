// Package awsapi holds every AWS call the provider makes. It builds the SDK clients once per provider
// instance and translates AWS errors into a few kinds the provider reacts to. It knows nothing of Terraform.
package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
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
}

// Clients are built once per provider instance and shared by every resource and data source.
type Clients struct {
	Region string
	kms    hidden[kms.Client]
	s3     hidden[s3.Client]
	ec2    hidden[ec2.Client]
	sts    hidden[sts.Client]
}

// hidden holds a service client where the linker cannot see its type, which keeps the provider's binary
// to the AWS operations it calls. The Clients reach the resources inside an interface value (the
// framework's provider data), and the plugin server calls methods by reflection (net/rpc, through
// go-plugin); once a program does that, the linker keeps every exported method of every type reachable
// from an interface value: for *ec2.Client some 800 operations and 19 MB of machine code, much of it paged
// into every provider process. An unsafe.Pointer has no type to follow. For the same reason no client is
// converted to an interface: waiters and paginators get a method value (adapters.go). The S3 client
// converts itself (for S3 Express sessions), so all of S3 stays; EC2 and KMS shrink to what is called.
// TestBinaryKeepsOnlyCalledOperations, in the main package, fails if a whole service creeps back.
type hidden[T any] struct{ p unsafe.Pointer }

func hide[T any](client *T) hidden[T] { return hidden[T]{unsafe.Pointer(client)} }

func (h hidden[T]) get() *T { return (*T)(h.p) }

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
// static credentials are given) and builds the service clients.
func New(ctx context.Context, c Config) (*Clients, error) {
	maxRetries := c.MaxRetries
	if maxRetries < 0 {
		maxRetries = DefaultMaxRetries
	}
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = max(t.MaxIdleConns, maxIdleConnsPerHost)
			t.MaxIdleConnsPerHost = maxIdleConnsPerHost
		})),
		config.WithRetryer(func() aws.Retryer {
			return retry.AddWithMaxAttempts(retry.NewStandard(), maxRetries+1)
		}),
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
	if c.AccessKey != "" || c.SecretKey != "" {
		if c.AccessKey == "" || c.SecretKey == "" {
			return nil, errors.New("access_key and secret_key must be set together")
		}
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(c.AccessKey, c.SecretKey, c.Token)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, ErrNoRegion
	}
	return &Clients{
		Region: cfg.Region,
		kms: hide(kms.NewFromConfig(cfg, func(o *kms.Options) {
			o.BaseEndpoint = endpoint(c.Endpoints.KMS)
		})),
		s3: hide(s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint = endpoint(c.Endpoints.S3)
			o.UsePathStyle = c.S3UsePathStyle
		})),
		ec2: hide(ec2.NewFromConfig(cfg, func(o *ec2.Options) {
			o.BaseEndpoint = endpoint(c.Endpoints.EC2)
		})),
		sts: hide(sts.NewFromConfig(cfg, func(o *sts.Options) {
			o.BaseEndpoint = endpoint(c.Endpoints.STS)
		})),
	}, nil
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
	out, err := c.sts.get().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, err
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn)}, nil
}
