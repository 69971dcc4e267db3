package awsapi

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// A keyGuarantee is a property every key the provider creates has, whatever its configuration. Its one
// declaration says how it is written and how a key read from KMS is checked for it, so the two cannot
// drift apart.
type keyGuarantee struct {
	// name identifies the guarantee in tests; users read why.
	name string
	// create puts the setting into CreateKey's request; nil when another call writes it.
	create func(*kms.CreateKeyInput)
	// holds reports whether k, as ReadKey reports it, has the property.
	holds func(k *Key) bool
	// why is the clause that says how k breaks the guarantee, completing a sentence about the key.
	why func(k *Key) string
}

// keyGuarantees are the key's guarantees in the order Problems reports them.
var keyGuarantees = []*keyGuarantee{keySingleRegion, keySymmetric, keyUsable, keyRotation}

// Problems lists how the key breaks what the provider guarantees of a key, in a fixed order, so an import
// never adopts one that does.
func (k *Key) Problems() []string {
	var p []string
	for _, g := range keyGuarantees {
		if !g.holds(k) {
			p = append(p, g.why(k))
		}
	}
	return p
}

// Violations is Problems with the name of each guarantee broken, for state, listings and logs.
func (k *Key) Violations() []Problem {
	var p []Problem
	for _, g := range keyGuarantees {
		if !g.holds(k) {
			p = append(p, Problem{Name: g.name, Why: g.why(k)})
		}
	}
	return p
}

// A multi-region key would replicate its key material outside the jurisdiction.
var keySingleRegion = &keyGuarantee{
	name:   "single_region",
	create: func(in *kms.CreateKeyInput) { in.MultiRegion = aws.Bool(false) },
	holds:  func(k *Key) bool { return !k.MultiRegion },
	why: func(*Key) string {
		return "it is a multi-region key, which replicates key material outside the jurisdiction"
	},
}

// The key encrypts and decrypts data with a symmetric key that never leaves KMS.
var keySymmetric = &keyGuarantee{
	name: "symmetric_encrypt_decrypt",
	create: func(in *kms.CreateKeyInput) {
		in.KeySpec = kmstypes.KeySpecSymmetricDefault
		in.KeyUsage = kmstypes.KeyUsageTypeEncryptDecrypt
	},
	holds: func(k *Key) bool {
		return k.KeySpec == string(kmstypes.KeySpecSymmetricDefault) && k.KeyUsage == string(kmstypes.KeyUsageTypeEncryptDecrypt)
	},
	why: func(k *Key) string {
		return fmt.Sprintf("it is a %s %s key, not a symmetric %s key", k.KeySpec, k.KeyUsage, kmstypes.KeyUsageTypeEncryptDecrypt)
	},
}

// The key can protect data: it is neither disabled nor pending deletion. KMS creates every key enabled.
var keyUsable = &keyGuarantee{
	name:  "usable",
	holds: func(k *Key) bool { return k.Unusable() == "" },
	why:   func(k *Key) string { return "it " + k.Unusable() },
}

// PendingDeletion reports whether the key's deletion is already scheduled, so a destroy has nothing left to do.
func (k *Key) PendingDeletion() bool {
	return kmstypes.KeyState(k.State) == kmstypes.KeyStatePendingDeletion
}

// Unusable says why a key can no longer protect data, or "" when it can.
func (k *Key) Unusable() string {
	switch kmstypes.KeyState(k.State) {
	case kmstypes.KeyStatePendingDeletion, kmstypes.KeyStatePendingReplicaDeletion:
		when := ""
		if k.DeletionAt != nil {
			when = " on " + k.DeletionAt.UTC().Format(time.DateOnly)
		}
		return "is pending deletion" + when
	case kmstypes.KeyStateDisabled:
		return "was disabled outside Terraform"
	}
	return ""
}

// The key material is rotated automatically, written by EnableKeyRotation once the provider has saved the
// key's id. KMS does not report the rotation of a key pending deletion, so an unusable key is reported as
// such (keyUsable) and not also as unrotated.
var keyRotation = &keyGuarantee{
	name:  "rotation",
	holds: func(k *Key) bool { return k.Unusable() != "" || k.RotationEnabled },
	why:   func(*Key) string { return "automatic rotation is off" },
}

// EnableKeyRotation turns on automatic rotation of k with the given period and, once KMS has accepted
// it, records it in k.
func (c *Clients) EnableKeyRotation(ctx context.Context, k *Key, periodDays int32) error {
	_, err := c.kms.enableKeyRotation(ctx, &kms.EnableKeyRotationInput{
		KeyId:                aws.String(k.ID),
		RotationPeriodInDays: aws.Int32(periodDays),
	})
	if err != nil {
		return err
	}
	k.RotationEnabled, k.RotationPeriodDays = true, aws.Int32(periodDays)
	return nil
}
