package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// The scale scenario puts N buckets (1,000 by default) in one configuration and times its no-change plan for
// both providers, against the floor provider and Terraform alone over as many resources. gdpr applies and
// destroys its buckets as in the buckets scenario. hashicorp/aws does not: its apply of 500 buckets took 56
// minutes on this emulator (bench/results/2026-11-28-buckets100-500.md), most of it waiting, so its
// buckets are made with the SDK, with the settings its configuration declares, and imported (seven import
// blocks per bucket, one per resource), and the emulator is emptied instead of a destroy. The emulator's
// contents after gdpr's apply and after the import are compared as in every scenario, so both plans read the
// same settings; the plan must find nothing to change.
func scaleScenario(n int) scenario {
	sc := bucketsScenario(n)
	sc.name = fmt.Sprintf("scale N=%d", n)
	sc.scale = true
	return sc
}

// stepImport is hashicorp/aws's set-up in the scale scenario: the apply that imports the buckets.
var stepImport = step{name: "apply (import)", args: []string{"apply", "-auto-approve"}}

// importOnce runs hashicorp/aws's turn of the scale scenario: the key as Terraform makes it, the buckets with
// the SDK, the import (kept in pr.setup), the inventory, and the timed no-change plan. It returns the steps of
// sc with the plan's figures; the apply and the destroy are not run, and count zero.
func (r *runner) importOnce(sc scenario, run int, pr *providerResult) ([]measure, []string, error) {
	ctx := context.Background()
	if err := r.emu.reset(); err != nil {
		return nil, nil, err
	}
	dir, err := r.workDir(sc, aws, run)
	if err != nil {
		return nil, nil, err
	}
	config := sc.config(aws, r.emu.Endpoint) + "\noutput \"key_arn\" {\n  value = aws_kms_key.k.arn\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o644); err != nil {
		return nil, nil, err
	}
	if _, err := r.step(dir, step{name: "apply (key)", args: []string{"apply", "-auto-approve", "-target=aws_kms_key.k"}}); err != nil {
		return nil, nil, fmt.Errorf("creating the key: %w", err)
	}
	keyARN, err := r.output(dir, "key_arn")
	if err != nil {
		return nil, nil, err
	}
	if err := awsBucketsWithSDK(ctx, r.emu.s3Client(), sc.n, keyARN); err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "imports.tf"), []byte(awsImports(sc.n)), 0o644); err != nil {
		return nil, nil, err
	}
	r.emu.take()
	imported, err := r.step(dir, stepImport)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", stepImport.name, err)
	}
	pr.setup = append(pr.setup, imported)
	var inv []string
	if run == 1 {
		if inv, err = inventory(ctx, r.emu.motoURL); err != nil {
			return nil, nil, err
		}
	}
	ms := make([]measure, len(sc.steps))
	for i, st := range sc.steps {
		if st.name != stepPlanRefresh.name {
			continue
		}
		if ms[i], err = r.step(dir, st); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return ms, inv, r.emu.reset()
}

// awsImports imports the n buckets of the buckets configuration for hashicorp/aws: every resource of each
// bucket, by the bucket's name.
func awsImports(n int) string {
	var b strings.Builder
	// An import's address takes no function call, so each bucket's index travels as a number.
	fmt.Fprintf(&b, "locals {\n  buckets = { for i in range(%d) : tostring(i) => { index = i, name = \"bench-aws-${i}\" } }\n}\n", n)
	for _, typ := range []string{"aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_server_side_encryption_configuration",
		"aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls",
		"aws_s3_bucket_policy"} {
		fmt.Fprintf(&b, "\nimport {\n  for_each = local.buckets\n  to       = %s.b[each.value.index]\n  id       = each.value.name\n}\n", typ)
	}
	return b.String()
}

// awsBucketsWithSDK makes the n buckets of hashicorp/aws's buckets configuration with the settings it declares
// (awsBucketSettings), seedConcurrency buckets at a time.
func awsBucketsWithSDK(ctx context.Context, c *s3.Client, n int, keyARN string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(seedConcurrency)
	for i := range n {
		g.Go(func() error {
			name := fmt.Sprintf("bench-aws-%d", i)
			if err := createBucket(ctx, c, name); err != nil {
				return err
			}
			b := sdkaws.String(name)
			calls := []struct {
				what string
				call func() error
			}{
				{"versioning", func() error {
					_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b,
						VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
					return err
				}},
				{"encryption", func() error {
					_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
						ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
							ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
								SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: sdkaws.String(keyARN)},
							BucketKeyEnabled: sdkaws.Bool(true),
						}}}})
					return err
				}},
				{"lifecycle", func() error {
					_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
						LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
							ID: sdkaws.String("gdpr-storage-limitation"), Status: s3types.ExpirationStatusEnabled,
							Filter:                         &s3types.LifecycleRuleFilter{Prefix: sdkaws.String("")},
							Expiration:                     &s3types.LifecycleExpiration{Days: sdkaws.Int32(365)},
							NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: sdkaws.Int32(1)},
							AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: sdkaws.Int32(1)},
						}}}})
					return err
				}},
				{"public access block", func() error {
					_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b,
						PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: sdkaws.Bool(true),
							BlockPublicPolicy: sdkaws.Bool(true), IgnorePublicAcls: sdkaws.Bool(true), RestrictPublicBuckets: sdkaws.Bool(true)}})
					return err
				}},
				{"ownership", func() error {
					_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b,
						OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{
							ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})
					return err
				}},
				{"policy", func() error {
					arn := "arn:aws:s3:::" + name
					_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: sdkaws.String(fmt.Sprintf(
						`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*",`+
							`"Action":"s3:*","Resource":[%q,%q],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, arn, arn+"/*"))})
					return err
				}},
			}
			for _, call := range calls {
				if err := call.call(); err != nil {
					return fmt.Errorf("setting the %s of %s: %w", call.what, name, err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// renderSetup says how hashicorp/aws's resources came to be in the scale scenario.
func renderSetup(b *strings.Builder, res *scenarioResult) {
	a := res.providers[aws]
	if !res.sc.scale || a == nil || len(a.setup) == 0 {
		return
	}
	walls := make([]float64, len(a.setup))
	for i, m := range a.setup {
		walls[i] = m.wall.Seconds()
	}
	fmt.Fprintf(b, "hashicorp/aws's %d buckets were made with the SDK and imported, not applied (its apply of 500 buckets "+
		"took 56 minutes here), and the emulator was emptied instead of a destroy: its apply and destroy rows are "+
		"empty. The import (`terraform apply` of %d import blocks, one per resource) took %.0f s (median).\n\n",
		res.sc.n, 7*res.sc.n, medianOf(walls))
}
