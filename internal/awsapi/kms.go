package awsapi

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KeyInput is what the provider asks for when it creates a key. The key is always a symmetric,
// single-region ENCRYPT_DECRYPT key: a multi-region key would replicate outside the jurisdiction.
type KeyInput struct {
	Description string
	Policy      string // empty: the AWS default key policy
	Tags        map[string]string
}

// Key is a KMS key as the provider sees it.
type Key struct {
	ID          string
	ARN         string
	Description string
	State       string // KMS key state: Enabled, Disabled, PendingDeletion, ...
	KeySpec     string
	KeyUsage    string
	MultiRegion bool
	DeletionAt  *time.Time

	RotationEnabled bool
	// RotationPeriodDays is nil when the service does not report it.
	RotationPeriodDays *int32
	Policy             string
	Tags               map[string]string
}

// CreateKey creates the key and returns its id and ARN. Rotation is a separate call, so the caller can save
// the id first and never lose track of a key whose later setup fails.
func (c *Clients) CreateKey(ctx context.Context, in KeyInput) (id, arn string, err error) {
	input := &kms.CreateKeyInput{
		Description: aws.String(in.Description),
		KeySpec:     kmstypes.KeySpecSymmetricDefault,
		KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
		MultiRegion: aws.Bool(false),
		Tags:        kmsTags(in.Tags),
	}
	if in.Policy != "" {
		input.Policy = aws.String(in.Policy)
	}
	out, err := c.KMS.CreateKey(ctx, input)
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn), nil
}

// EnableKeyRotation turns on automatic rotation with the given period.
func (c *Clients) EnableKeyRotation(ctx context.Context, id string, periodDays int32) error {
	_, err := c.KMS.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{
		KeyId:                aws.String(id),
		RotationPeriodInDays: aws.Int32(periodDays),
	})
	return err
}

// ReadKey returns everything the provider tracks about a key. A key pending deletion is returned with its
// state and without the rest, because KMS refuses most calls on it.
func (c *Clients) ReadKey(ctx context.Context, id string) (*Key, error) {
	out, err := c.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	m := out.KeyMetadata
	k := &Key{
		ID:          aws.ToString(m.KeyId),
		ARN:         aws.ToString(m.Arn),
		Description: aws.ToString(m.Description),
		State:       string(m.KeyState),
		KeySpec:     string(m.KeySpec),
		KeyUsage:    string(m.KeyUsage),
		MultiRegion: aws.ToBool(m.MultiRegion),
		DeletionAt:  m.DeletionDate,
	}
	if k.KeyUsage == "" {
		// KMS's default usage; some AWS-compatible services omit it for keys created without one.
		k.KeyUsage = string(kmstypes.KeyUsageTypeEncryptDecrypt)
	}
	if m.KeyState == kmstypes.KeyStatePendingDeletion || m.KeyState == kmstypes.KeyStatePendingReplicaDeletion {
		return k, nil
	}
	rot, err := c.KMS.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: m.KeyId})
	if err != nil {
		return nil, err
	}
	k.RotationEnabled = rot.KeyRotationEnabled
	k.RotationPeriodDays = rot.RotationPeriodInDays
	pol, err := c.KMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: m.KeyId, PolicyName: aws.String("default")})
	if err != nil {
		return nil, err
	}
	k.Policy = aws.ToString(pol.Policy)
	k.Tags = map[string]string{}
	pages := kms.NewListResourceTagsPaginator(c.KMS, &kms.ListResourceTagsInput{KeyId: m.KeyId})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			k.Tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return k, nil
}

// ScheduleKeyDeletion starts the waiting period after which KMS deletes the key material for good. A key
// already pending deletion is left as it is.
func (c *Clients) ScheduleKeyDeletion(ctx context.Context, id string, windowDays int32) (time.Time, error) {
	out, err := c.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
		KeyId:               aws.String(id),
		PendingWindowInDays: aws.Int32(windowDays),
	})
	if err != nil {
		return time.Time{}, err
	}
	return aws.ToTime(out.DeletionDate), nil
}

func kmsTags(tags map[string]string) []kmstypes.Tag {
	return tagList(tags, func(k, v string) kmstypes.Tag {
		return kmstypes.Tag{TagKey: aws.String(k), TagValue: aws.String(v)}
	})
}
