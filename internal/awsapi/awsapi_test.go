package awsapi

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

func TestErrorKinds(t *testing.T) {
	wrap := func(code string) error {
		return fmt.Errorf("operation failed: %w", &smithy.GenericAPIError{Code: code, Message: "m"})
	}
	tests := []struct {
		err                               error
		notFound, accessDenied, throttled bool
	}{
		{err: wrap("NotFoundException"), notFound: true},
		{err: wrap("NoSuchBucket"), notFound: true},
		{err: wrap("InvalidInstanceID.NotFound"), notFound: true},
		{err: wrap("AccessDeniedException"), accessDenied: true},
		{err: wrap("UnauthorizedOperation"), accessDenied: true},
		{err: wrap("ThrottlingException"), throttled: true},
		{err: wrap("SlowDown"), throttled: true},
		{err: wrap("RequestLimitExceeded"), throttled: true},
		{err: wrap("KMSInternalException")},
		{err: errors.New("connection reset")},
		{err: nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.err), func(t *testing.T) {
			if got := IsNotFound(tc.err); got != tc.notFound {
				t.Errorf("IsNotFound = %v", got)
			}
			if got := IsAccessDenied(tc.err); got != tc.accessDenied {
				t.Errorf("IsAccessDenied = %v", got)
			}
			if got := IsThrottled(tc.err); got != tc.throttled {
				t.Errorf("IsThrottled = %v", got)
			}
		})
	}
}

func isolate(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
}

func TestNew(t *testing.T) {
	ctx := context.Background()
	t.Run("no region anywhere", func(t *testing.T) {
		isolate(t)
		if _, err := New(ctx, Config{AccessKey: "a", SecretKey: "b"}); !errors.Is(err, ErrNoRegion) {
			t.Fatalf("err = %v, want ErrNoRegion", err)
		}
	})
	t.Run("region from the environment", func(t *testing.T) {
		isolate(t)
		t.Setenv("AWS_REGION", "eu-north-1")
		c, err := New(ctx, Config{AccessKey: "a", SecretKey: "b"})
		if err != nil || c.Region != "eu-north-1" {
			t.Fatalf("region = %v, err = %v", c, err)
		}
	})
	t.Run("half a key pair", func(t *testing.T) {
		isolate(t)
		if _, err := New(ctx, Config{Region: "eu-west-1", AccessKey: "a"}); err == nil {
			t.Fatal("an access key without a secret key was accepted")
		}
	})
	t.Run("endpoints and retries", func(t *testing.T) {
		isolate(t)
		c := Config{Region: "eu-west-1", AccessKey: "a", SecretKey: "b", MaxRetries: 2,
			Endpoints: Endpoints{KMS: "http://127.0.0.1:1"}}
		if _, err := New(ctx, c); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		o := newKMS(cfg, c).Options()
		if aws.ToString(o.BaseEndpoint) != "http://127.0.0.1:1" {
			t.Errorf("kms endpoint = %v", aws.ToString(o.BaseEndpoint))
		}
		if sts := newSTS(cfg, c).Options(); sts.BaseEndpoint != nil {
			t.Errorf("sts endpoint = %v, want the SDK's own", aws.ToString(sts.BaseEndpoint))
		}
		if got := o.Retryer.MaxAttempts(); got != 3 {
			t.Errorf("max attempts = %d, want 3 (2 retries)", got)
		}
	})
	t.Run("default retries", func(t *testing.T) {
		isolate(t)
		c := Config{Region: "eu-west-1", AccessKey: "a", SecretKey: "b", MaxRetries: -1}
		cfg, err := loadConfig(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got := newKMS(cfg, c).Options().Retryer.MaxAttempts(); got != DefaultMaxRetries+1 {
			t.Errorf("max attempts = %d, want %d", got, DefaultMaxRetries+1)
		}
	})
}
