package key_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// keyAddr is the address of the key every configuration here declares.
const keyAddr = "gdpr_key.test"

// keyConfig is a provider block for the emulator and one gdpr_key with the given arguments.
func keyConfig(body string) string {
	return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "gdpr_key" "test" {
%s
}
`, body)
}

// checkKeyInEmulator asks KMS directly, not the state, whether the key keeps every invariant.
func checkKeyInEmulator(t *testing.T, id, description string, tags map[string]string) error {
	ctx := context.Background()
	client := acctest.KMS(t, acctest.Region)
	out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return fmt.Errorf("describing key %s: %w", id, err)
	}
	m := out.KeyMetadata
	switch {
	case aws.ToString(m.Description) != description:
		return fmt.Errorf("description = %q, want %q", aws.ToString(m.Description), description)
	case m.KeySpec != kmstypes.KeySpecSymmetricDefault:
		return fmt.Errorf("key spec = %s, want SYMMETRIC_DEFAULT", m.KeySpec)
	case m.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt:
		return fmt.Errorf("key usage = %s, want ENCRYPT_DECRYPT", m.KeyUsage)
	case aws.ToBool(m.MultiRegion):
		return errors.New("key is multi-region")
	case m.KeyState != kmstypes.KeyStateEnabled:
		return fmt.Errorf("key state = %s, want Enabled", m.KeyState)
	}
	rot, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil {
		return err
	}
	if !rot.KeyRotationEnabled {
		return errors.New("automatic rotation is off")
	}
	got, err := client.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	if err != nil {
		return err
	}
	if len(got.Tags) != len(tags) {
		return fmt.Errorf("tags = %v, want %v", got.Tags, tags)
	}
	for _, tag := range got.Tags {
		if tags[aws.ToString(tag.TagKey)] != aws.ToString(tag.TagValue) {
			return fmt.Errorf("tag %s = %q, want %q", aws.ToString(tag.TagKey), aws.ToString(tag.TagValue), tags[aws.ToString(tag.TagKey)])
		}
	}
	return nil
}

// checkKeysPendingDeletion checks in KMS that destroy scheduled the deletion with the configured window.
func checkKeysPendingDeletion(t *testing.T, id *string, windowDays int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if *id == "" {
			return errors.New("no key id was captured")
		}
		out, err := acctest.KMS(t, acctest.Region).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: id})
		if err != nil {
			return err
		}
		if out.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
			return fmt.Errorf("key %s is %s after destroy, want PendingDeletion", *id, out.KeyMetadata.KeyState)
		}
		want := time.Now().Add(time.Duration(windowDays) * 24 * time.Hour)
		got := aws.ToTime(out.KeyMetadata.DeletionDate)
		if d := got.Sub(want); d < -time.Hour || d > time.Hour {
			return fmt.Errorf("deletion date %s, want about %s (%d days)", got, want, windowDays)
		}
		return nil
	}
}

// policyJSON is a key policy, as HCL, that allows the account root the given action.
func policyJSON(action string) string {
	return fmt.Sprintf(`jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = %q
      Resource  = "*"
    }]
  })`, action)
}

// outOfBand changes the key behind Terraform's back and then expects the same configuration to plan a
// replacement, which the apply carries out: the key in state afterwards is a new one.
func outOfBand(t *testing.T, ids *[]string, config string, change func(ctx context.Context, c *kms.Client, id string) error) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			id := (*ids)[len(*ids)-1]
			if err := change(context.Background(), acctest.KMS(t, acctest.Region), id); err != nil {
				t.Fatalf("changing key %s out of band: %v", id, err)
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionReplace)},
		},
		Check: resource.ComposeTestCheckFunc(acctest.AppendID(keyAddr, ids), func(*terraform.State) error {
			if n := len(*ids); (*ids)[n-1] == (*ids)[n-2] {
				return fmt.Errorf("key %s was kept after an out-of-band change", (*ids)[n-1])
			}
			return nil
		}),
	}
}

// unknownRegionConfig gives the provider a region known only at apply time, as when it comes from another
// resource; the residency check then runs when Terraform plans again during apply, before any Create.
func unknownRegionConfig(region string) string {
	return fmt.Sprintf(`
resource "terraform_data" "region" {
  input = %[1]q
}

provider "gdpr" {
  region     = terraform_data.region.output
  access_key = "testing"
  secret_key = "testing"
  endpoints  = { kms = %[2]q, sts = %[2]q }
}

resource "gdpr_key" "test" {
  description = "region from a resource"
}
`, region, acctest.Endpoint())
}

// checkRotationInEmulator asks KMS directly, not the state, whether automatic rotation of the key is on
// with periodDays; the period is checked when KMS reports it (AWS does, the emulator may not).
func checkRotationInEmulator(t *testing.T, id string, periodDays int32) error {
	rot, err := acctest.KMS(t, acctest.Region).GetKeyRotationStatus(context.Background(), &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil {
		return fmt.Errorf("rotation status of key %s: %w", id, err)
	}
	if !rot.KeyRotationEnabled {
		return fmt.Errorf("automatic rotation of key %s is off after create", id)
	}
	if rot.RotationPeriodInDays != nil && aws.ToInt32(rot.RotationPeriodInDays) != periodDays {
		return fmt.Errorf("key %s rotates every %d days, want %d", id, aws.ToInt32(rot.RotationPeriodInDays), periodDays)
	}
	return nil
}
