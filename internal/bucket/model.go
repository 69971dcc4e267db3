package bucket

import (
	"context"
	"crypto/rand"
	"maps"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/tfvalue"
)

// generatedSuffixLen is how many characters a bucket_prefix gets appended: a UTC timestamp to the second
// and six random characters, so names sort by creation and never collide in practice.
const generatedSuffixLen = 20

type bucketModel struct {
	ID             types.String `tfsdk:"id"`
	Bucket         types.String `tfsdk:"bucket"`
	BucketPrefix   types.String `tfsdk:"bucket_prefix"`
	KMSKeyARN      types.String `tfsdk:"kms_key_arn"`
	ExpirationDays types.Int64  `tfsdk:"expiration_days"`
	// NoncurrentVersionDays is the lifecycle's noncurrent expiration: the window a restore reaches back.
	NoncurrentVersionDays types.Int64      `tfsdk:"noncurrent_version_days"`
	ObjectLock            *objectLockModel `tfsdk:"object_lock"`
	ForceDestroy          types.Bool       `tfsdk:"force_destroy"`
	OnReplace             types.String     `tfsdk:"on_replace"`
	MovedFrom             types.String     `tfsdk:"moved_from"`
	MovedObjects          types.Int64      `tfsdk:"moved_objects"`
	MovedBytes            types.Int64      `tfsdk:"moved_bytes"`
	Tags                  types.Map        `tfsdk:"tags"`
	ARN                   types.String     `tfsdk:"arn"`
	Region                types.String     `tfsdk:"region"`
	Jurisdiction          types.String     `tfsdk:"jurisdiction"`
	// GuaranteesBroken is what fromAPI found: the names of the guarantees the bucket breaks.
	GuaranteesBroken types.List `tfsdk:"guarantees_broken"`
}

type objectLockModel struct {
	Mode types.String `tfsdk:"mode"`
	Days types.Int64  `tfsdk:"days"`
}

func (m bucketModel) toAPI(ctx context.Context, name string) (awsapi.BucketInput, error) {
	in := awsapi.BucketInput{
		Name:           name,
		KMSKeyARN:      m.KMSKeyARN.ValueString(),
		ExpirationDays: int32(m.ExpirationDays.ValueInt64()),
		// The schema's default fills it in every plan.
		NoncurrentVersionDays: int32(m.NoncurrentVersionDays.ValueInt64()),
	}
	if m.ObjectLock != nil {
		in.ObjectLock = &awsapi.ObjectLock{Mode: m.ObjectLock.Mode.ValueString(), Days: int32(m.ObjectLock.Days.ValueInt64())}
	}
	tags, err := tfvalue.StringMap(ctx, m.Tags)
	in.Tags = tags
	return in, err
}

// fromAPI copies what S3 reports into the model. It returns the arguments that differ from what the model
// held (changed) and the enforced settings the bucket breaks (violations); both mean an integrity event.
func (m *bucketModel) fromAPI(ctx context.Context, b *awsapi.Bucket) (changed, violations []string) {
	// Right after an import the model holds only the name: there is nothing to compare arguments with.
	compare := !m.KMSKeyARN.IsNull()
	m.ID = types.StringValue(b.Name)
	m.Bucket = types.StringValue(b.Name)
	m.ARN = types.StringValue(awsapi.BucketARN(b.Name, b.Region))

	key := types.StringNull()
	if b.EncryptionAlgorithm == "aws:kms" && b.KMSKeyID != "" {
		key = types.StringValue(b.KMSKeyID)
	}
	if compare && !m.KMSKeyARN.Equal(key) {
		changed = append(changed, "kms_key_arn")
	}
	m.KMSKeyARN = key

	expiration := types.Int64Null()
	if b.ExpirationDays != nil {
		expiration = types.Int64Value(int64(*b.ExpirationDays))
	}
	if compare && !m.ExpirationDays.Equal(expiration) {
		changed = append(changed, "expiration_days")
	}
	m.ExpirationDays = expiration

	noncurrent := types.Int64Null()
	if b.NoncurrentExpireDays != nil {
		noncurrent = types.Int64Value(int64(*b.NoncurrentExpireDays))
	}
	if compare && !m.NoncurrentVersionDays.Equal(noncurrent) {
		changed = append(changed, "noncurrent_version_days")
	}
	m.NoncurrentVersionDays = noncurrent

	var lock *objectLockModel
	if b.ObjectLock != nil {
		lock = &objectLockModel{Mode: types.StringValue(b.ObjectLock.Mode), Days: types.Int64Value(int64(b.ObjectLock.Days))}
	}
	if compare && !sameLock(m.ObjectLock, lock) {
		changed = append(changed, "object_lock")
	}
	m.ObjectLock = lock

	prior, _ := tfvalue.StringMap(ctx, m.Tags)
	if compare && !maps.Equal(prior, b.Tags) {
		changed = append(changed, "tags")
	}
	if len(b.Tags) > 0 || m.Tags.IsUnknown() {
		m.Tags = tfvalue.MapValue(b.Tags)
	} else if !m.Tags.IsNull() {
		m.Tags = tfvalue.MapValue(map[string]string{})
	}
	if m.ForceDestroy.IsNull() || m.ForceDestroy.IsUnknown() {
		m.ForceDestroy = types.BoolValue(false)
	}
	if m.OnReplace.IsNull() || m.OnReplace.IsUnknown() {
		m.OnReplace = types.StringValue(OnReplaceRefuse)
	}
	m.moved(b.MovedFrom)
	violations = b.Violations()
	m.GuaranteesBroken = tfvalue.ListValue(violations)
	return changed, violations
}

// moved records in the model what moved into the bucket; nil means nothing did.
func (m *bucketModel) moved(from *awsapi.Moved) {
	if from == nil {
		m.MovedFrom, m.MovedObjects, m.MovedBytes = types.StringNull(), types.Int64Null(), types.Int64Null()
		return
	}
	m.MovedFrom = types.StringValue(from.From)
	m.MovedObjects, m.MovedBytes = types.Int64Value(from.Objects), types.Int64Value(from.Bytes)
}

func sameLock(a, b *objectLockModel) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Mode.Equal(b.Mode) && a.Days.Equal(b.Days)
}

// fingerprint identifies the create of this bucket in region from in, its input without a name (see
// awsapi.CreatingTag): the configured name or prefix stands for the name, since a generated one differs
// each time. The default noncurrent days are left out, so a create that a provider without
// noncurrent_version_days left half-made has the fingerprint of the same create now, and is finished.
func (m bucketModel) fingerprint(region string, in awsapi.BucketInput) string {
	in.Name = ""
	if in.NoncurrentVersionDays == DefaultNoncurrentVersionDays {
		in.NoncurrentVersionDays = 0
	}
	return awsapi.Fingerprint(region, ResourceType, in, m.Bucket.ValueString(), m.BucketPrefix.ValueString())
}

// generatedFrom returns whether a bucket name is one newBucketName generates from prefix: the prefix, a
// timestamp of 14 digits and 6 lower-case letters or digits.
func generatedFrom(prefix string) func(string) bool {
	return func(name string) bool {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok || len(rest) != generatedSuffixLen {
			return false
		}
		for i, c := range rest {
			digit := c >= '0' && c <= '9'
			if !digit && (i < 14 || c < 'a' || c > 'z') {
				return false
			}
		}
		return true
	}
}

// newBucketName returns the configured name, or one generated from the prefix.
func newBucketName(m bucketModel, now time.Time) (string, error) {
	if !m.Bucket.IsNull() && !m.Bucket.IsUnknown() {
		return m.Bucket.ValueString(), nil
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	random := make([]byte, generatedSuffixLen-14)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	for i, b := range random {
		random[i] = alphabet[int(b)%len(alphabet)]
	}
	return m.BucketPrefix.ValueString() + now.UTC().Format("20060102150405") + string(random), nil
}
