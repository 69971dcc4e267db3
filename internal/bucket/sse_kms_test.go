package bucket_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccEmulator_sseKMSWithoutAKeyIsTheAWSManagedKey proves that the emulator chooses an object's key as
// AWS does, so that a copy which forgets to name the new bucket's key cannot pass: in a bucket whose default
// encryption is SSE-KMS under a customer key, a PutObject or CopyObject that asks for aws:kms without naming
// a key is encrypted under the AWS managed key aws/s3 (which deleting the customer key does not erase), while
// one that asks for no encryption at all, or names the key, gets the customer key.
func TestAccEmulator_sseKMSWithoutAKeyIsTheAWSManagedKey(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	keyID := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String("sse-kms front")}, false)
	key, err := acctest.KMS(t, acctest.Region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	managed, err := acctest.KMS(t, acctest.Region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil {
		t.Fatal(err)
	}
	managedARN := aws.ToString(managed.KeyMetadata.Arn)

	name := acctest.BucketName()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
		LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		acctest.EmptyBucket(t, name)
		_, _ = c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &name})
	})
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: &name, ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: &keyARN},
			BucketKeyEnabled:                   aws.Bool(true),
		}}}}); err != nil {
		t.Fatal(err)
	}

	acctest.PutObject(t, name, "source", "personal data", nil)
	for _, tc := range []struct {
		name  string
		write func(key string) error
		want  string
	}{
		{"PutObject without encryption", func(k string) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &name, Key: &k, Body: strings.NewReader("x")})
			return err
		}, keyARN},
		{"PutObject with aws:kms and no key", func(k string) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &name, Key: &k, Body: strings.NewReader("x"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms})
			return err
		}, managedARN},
		{"PutObject with aws:kms and the key", func(k string) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &name, Key: &k, Body: strings.NewReader("x"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: &keyARN})
			return err
		}, keyARN},
		{"CopyObject without encryption", func(k string) error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &name, Key: &k, CopySource: aws.String(name + "/source")})
			return err
		}, keyARN},
		{"CopyObject with aws:kms and no key", func(k string) error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &name, Key: &k, CopySource: aws.String(name + "/source"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms})
			return err
		}, managedARN},
		{"CopyObject with aws:kms and the key", func(k string) error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &name, Key: &k, CopySource: aws.String(name + "/source"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: &keyARN})
			return err
		}, keyARN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := strings.ReplaceAll(tc.name, " ", "-")
			if err := tc.write(k); err != nil {
				t.Fatal(err)
			}
			out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &name, Key: &k})
			if err != nil {
				t.Fatal(err)
			}
			if out.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != tc.want {
				t.Errorf("%s: the object is encrypted with %s under %q, want aws:kms under %s (the customer key is %s, aws/s3 is %s)",
					tc.name, out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), tc.want, keyARN, managedARN)
			}
		})
	}
}
