package awsapi

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KeyInput is what the provider asks for when it creates a key. The key is always a symmetric,
// single-region ENCRYPT_DECRYPT key with automatic rotation (see kms_guarantees.go).
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
	// AWSManaged is true for the keys an AWS service made for itself (alias/aws/...), which no customer manages.
	AWSManaged bool

	RotationEnabled bool
	// RotationPeriodDays is nil when the service does not report it.
	RotationPeriodDays *int32
	Policy             string
	Tags               map[string]string
	// Unfinished is the fingerprint of the create that made the key and has not finished it (see
	// CreatingTag), "" for a finished key.
	Unfinished string
}

// CreateKey creates the key, marked as made by the unfinished create fp (see CreatingTag), and returns it
// as CreateKey's answer and the request describe it: its metadata, the description, the policy asked for
// ("" when it is the AWS default, which KMS alone knows) and the tags. Rotation is a separate call, so the
// caller can save the id first and never lose track of a key whose later setup fails; FinishKey ends the
// create.
func (c *Clients) CreateKey(ctx context.Context, in KeyInput, fp string) (*Key, error) {
	input := createKeyInput(in, keyGuarantees)
	input.Tags = append(input.Tags, kmstypes.Tag{TagKey: aws.String(CreatingTag), TagValue: aws.String(fp)})
	ctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	out, err := c.kms.createKey(ctx, input)
	if err != nil {
		return nil, err
	}
	k := keyFromMetadata(out.KeyMetadata)
	k.Policy = in.Policy
	k.Tags = maps.Clone(in.Tags)
	if k.Tags == nil {
		k.Tags = map[string]string{}
	}
	k.Unfinished = fp
	return k, nil
}

// UnfinishedKey returns the id of a key that an interrupted create with fingerprint fp left behind, and
// takes it out of the pool so no other create finishes it too; "" when there is none. Keys cannot be
// searched by tag, so the first call of a provider process lists the region's keys and reads their tags.
func (c *Clients) UnfinishedKey(ctx context.Context, fp string) (string, error) {
	return c.pools.keys.claim(ctx, fp, c.unfinishedKeys)
}

// unfinishedKeys lists the keys of the region that carry the creation marker and can still be finished.
func (c *Clients) unfinishedKeys(ctx context.Context) ([]Leftover, error) {
	var ids []string
	pages := kms.NewListKeysPaginator(c.kms.listKeys, &kms.ListKeysInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			ids = append(ids, aws.ToString(k.KeyId))
		}
	}
	var mu sync.Mutex
	var found []Leftover
	err := boundedEach(ctx, ids, func(ctx context.Context, id string) error {
		out, err := c.kms.listResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
		if err != nil {
			// Keys of other services and keys this caller may not read are not the provider's.
			return nil //nolint:nilerr // skipping such a key is the point
		}
		for _, t := range out.Tags {
			if aws.ToString(t.TagKey) != CreatingTag {
				continue
			}
			d, err := c.kms.describeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
			if err != nil {
				return err
			}
			if d.KeyMetadata.KeyState != kmstypes.KeyStateEnabled {
				return nil
			}
			mu.Lock()
			found = append(found, Leftover{ID: id, Fingerprint: aws.ToString(t.TagValue), Created: aws.ToTime(d.KeyMetadata.CreationDate)})
			mu.Unlock()
		}
		return nil
	})
	return found, err
}

// FinishKey removes the creation marker: the create of key is complete.
func (c *Clients) FinishKey(ctx context.Context, k *Key) error {
	if _, err := c.kms.untagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(k.ID), TagKeys: []string{CreatingTag}}); err != nil {
		return err
	}
	k.Unfinished = ""
	return nil
}

// createKeyInput is the request that creates in: the arguments, then what each of the guarantees gs asks
// for (see kms_guarantees.go). Tests leave a guarantee out of gs.
func createKeyInput(in KeyInput, gs []*keyGuarantee) *kms.CreateKeyInput {
	input := &kms.CreateKeyInput{
		Description: aws.String(in.Description),
		Tags:        kmsTags(in.Tags),
	}
	for _, g := range gs {
		if g.create != nil {
			g.create(input)
		}
	}
	if in.Policy != "" {
		input.Policy = aws.String(in.Policy)
	}
	return input
}

// KeyPolicy returns the key's policy.
func (c *Clients) KeyPolicy(ctx context.Context, id string) (string, error) {
	out, err := c.kms.getKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Policy), nil
}

func keyFromMetadata(m *kmstypes.KeyMetadata) *Key {
	k := &Key{
		ID:          aws.ToString(m.KeyId),
		ARN:         aws.ToString(m.Arn),
		Description: aws.ToString(m.Description),
		State:       string(m.KeyState),
		KeySpec:     string(m.KeySpec),
		KeyUsage:    string(m.KeyUsage),
		MultiRegion: aws.ToBool(m.MultiRegion),
		DeletionAt:  m.DeletionDate,
		AWSManaged:  m.KeyManager == kmstypes.KeyManagerTypeAws,
	}
	if k.KeyUsage == "" {
		// KMS's default usage; some AWS-compatible services omit it for keys created without one.
		k.KeyUsage = string(kmstypes.KeyUsageTypeEncryptDecrypt)
	}
	return k
}

// ReadKey returns everything the provider tracks about a key: DescribeKey, rotation, policy and tags, all
// asked at once, so a refresh waits for one round trip to KMS, not two. A key pending deletion is returned with
// its state and without the rest, because KMS refuses the other calls on it. An alias names no key to those
// calls, so a key named by one is described first.
func (c *Clients) ReadKey(ctx context.Context, id string) (*Key, error) {
	if isAlias(id) {
		k, err := c.describeKey(ctx, id)
		if err != nil || !k.readable() {
			return k, err
		}
		return k, c.readKeyDetails(ctx, k)
	}
	details := &Key{ID: id}
	var k *Key
	var describeErr, detailsErr error
	// Neither call cancels the other: the details fail on a key pending deletion, which only the description
	// can tell.
	var wg sync.WaitGroup
	wg.Go(func() { k, describeErr = c.describeKey(ctx, id) })
	wg.Go(func() { detailsErr = c.readKeyDetails(ctx, details) })
	wg.Wait()
	switch {
	case describeErr != nil:
		return nil, describeErr
	case !k.readable():
		return k, nil
	case detailsErr != nil:
		return nil, detailsErr
	}
	k.RotationEnabled, k.RotationPeriodDays = details.RotationEnabled, details.RotationPeriodDays
	k.Policy, k.Tags, k.Unfinished = details.Policy, details.Tags, details.Unfinished
	return k, nil
}

func (c *Clients) describeKey(ctx context.Context, id string) (*Key, error) {
	out, err := c.kms.describeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil {
		return nil, err
	}
	return keyFromMetadata(out.KeyMetadata), nil
}

// readable reports whether KMS answers the calls that read a key's rotation, policy and tags.
func (k *Key) readable() bool {
	return !k.PendingDeletion() && kmstypes.KeyState(k.State) != kmstypes.KeyStatePendingReplicaDeletion
}

// isAlias reports whether id names a key by an alias ("alias/name" or an alias ARN).
func isAlias(id string) bool {
	return strings.HasPrefix(id, "alias/") || strings.Contains(id, ":alias/")
}

// readKeyDetails adds to a described key its rotation, policy and tags, read at once.
func (c *Clients) readKeyDetails(ctx context.Context, k *Key) error {
	keyID := aws.String(k.ID)
	k.Tags = map[string]string{}
	// Each read writes only its own fields of k.
	return concurrently(ctx,
		func(ctx context.Context) error {
			rot, err := c.kms.getKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: keyID})
			if err != nil {
				return err
			}
			k.RotationEnabled = rot.KeyRotationEnabled
			k.RotationPeriodDays = rot.RotationPeriodInDays
			return nil
		},
		func(ctx context.Context) error {
			pol, err := c.KeyPolicy(ctx, k.ID)
			k.Policy = pol
			return err
		},
		func(ctx context.Context) error {
			pages := kms.NewListResourceTagsPaginator(c.kms.listResourceTags, &kms.ListResourceTagsInput{KeyId: keyID})
			for pages.HasMorePages() {
				page, err := pages.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, t := range page.Tags {
					k.Tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
				}
			}
			k.Unfinished = unfinished(k.Tags)
			return nil
		},
	)
}

// ScheduleKeyDeletion starts the waiting period after which KMS deletes the key material for good. A key
// already pending deletion is left as it is.
func (c *Clients) ScheduleKeyDeletion(ctx context.Context, id string, windowDays int32) (time.Time, error) {
	out, err := c.kms.scheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{
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
