package acctest

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// CreateKey makes a key directly in the emulator, as someone outside Terraform would, and schedules its
// deletion when the test ends.
func CreateKey(t *testing.T, in *kms.CreateKeyInput, rotate bool) string {
	t.Helper()
	RequireEmulator(t)
	ctx := context.Background()
	c := KMS(t, Region)
	out, err := c.CreateKey(ctx, in)
	if err != nil {
		t.Fatalf("creating a key in the emulator: %v", err)
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	if rotate {
		if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = c.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)})
	})
	return id
}

// KeyInventory lists the keys of this run (their description ends with the prefix) that are not pending
// deletion: the keys that still exist.
func KeyInventory(t *testing.T, region, prefix string) []string {
	ctx := context.Background()
	c := KMS(t, region)
	var ids []string
	pages := kms.NewListKeysPaginator(c, &kms.ListKeysInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId})
			if err != nil {
				t.Fatal(err)
			}
			if out.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion && strings.HasSuffix(*out.KeyMetadata.Description, prefix) {
				ids = append(ids, *k.KeyId)
			}
		}
	}
	return ids
}
