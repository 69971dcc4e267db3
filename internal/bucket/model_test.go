package bucket

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/s3name"
)

// testKeyARN is a well-formed KMS key ARN; the model tests never reach KMS.
const testKeyARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func compliantBucket() *awsapi.Bucket {
	return &awsapi.Bucket{
		Name: "records", Region: "eu-central-1",
		Versioning:          "Enabled",
		EncryptionAlgorithm: "aws:kms", KMSKeyID: testKeyARN, BucketKeyEnabled: true,
		ExpirationDays: aws.Int32(30), NoncurrentExpireDays: aws.Int32(1), AbortMultipartAfterDays: aws.Int32(1),
		PublicAccessBlocked: true,
		Ownership:           "BucketOwnerEnforced",
		// Formatted differently from what the provider writes: compared by meaning.
		Policy: `{"Statement":[{"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Resource":["arn:aws:s3:::records","arn:aws:s3:::records/*"],
			"Action":"s3:*","Principal":"*","Effect":"Deny","Sid":"DenyInsecureTransport"}],"Version":"2012-10-17"}`,
		Tags: map[string]string{},
	}
}

func bucketTestModel() bucketModel {
	return bucketModel{
		ID: types.StringValue("records"), Bucket: types.StringValue("records"), BucketPrefix: types.StringNull(),
		KMSKeyARN: types.StringValue(testKeyARN), ExpirationDays: types.Int64Value(30),
		NoncurrentVersionDays: types.Int64Value(1),
		ForceDestroy:          types.BoolValue(false), Tags: types.MapNull(types.StringType),
		GuaranteesBroken: types.ListValueMust(types.StringType, nil),
	}
}

func TestBucketModel_fromAPI(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		api            func(*awsapi.Bucket)
		model          func(*bucketModel)
		wantChanged    []string
		wantViolations []string
	}{
		"compliant and unchanged": {},
		"encryption removed": {
			api:            func(b *awsapi.Bucket) { b.EncryptionAlgorithm, b.KMSKeyID = "", "" },
			wantChanged:    []string{"kms_key_arn"},
			wantViolations: []string{"encryption"},
		},
		"encryption with S3-managed keys": {
			api:            func(b *awsapi.Bucket) { b.EncryptionAlgorithm, b.KMSKeyID = "AES256", "" },
			wantChanged:    []string{"kms_key_arn"},
			wantViolations: []string{"encryption"},
		},
		"bucket keys off": {
			api:            func(b *awsapi.Bucket) { b.BucketKeyEnabled = false },
			wantViolations: []string{"encryption"},
		},
		"lifecycle deleted": {
			api: func(b *awsapi.Bucket) {
				b.ExpirationDays, b.NoncurrentExpireDays, b.AbortMultipartAfterDays = nil, nil, nil
			},
			wantChanged:    []string{"expiration_days", "noncurrent_version_days"},
			wantViolations: []string{"lifecycle"},
		},
		"noncurrent versions kept longer than current ones": {
			api:            func(b *awsapi.Bucket) { b.NoncurrentExpireDays = aws.Int32(90) },
			wantChanged:    []string{"noncurrent_version_days"},
			wantViolations: []string{"lifecycle"},
		},
		// Another number of days within the expiration keeps the guarantee, but is not what was configured.
		"noncurrent days changed outside Terraform": {
			api:         func(b *awsapi.Bucket) { b.NoncurrentExpireDays = aws.Int32(7) },
			wantChanged: []string{"noncurrent_version_days"},
		},
		"noncurrent days as configured": {
			model: func(m *bucketModel) { m.NoncurrentVersionDays = types.Int64Value(30) },
			api:   func(b *awsapi.Bucket) { b.NoncurrentExpireDays = aws.Int32(30) },
		},
		"everything enforced is off": {
			api: func(b *awsapi.Bucket) {
				b.Versioning, b.PublicAccessBlocked, b.Ownership, b.Policy = "Suspended", false, "ObjectWriter", ""
			},
			wantViolations: []string{"versioning", "public_access_block", "ownership", "policy"},
		},
		"policy widened": {
			api:            func(b *awsapi.Bucket) { b.Policy = `{"Version":"2012-10-17","Statement":[]}` },
			wantViolations: []string{"policy"},
		},
		"lock added": {
			api: func(b *awsapi.Bucket) {
				b.ObjectLockEnabled, b.ObjectLock = true, &awsapi.ObjectLock{Mode: "GOVERNANCE", Days: 1}
			},
			wantChanged: []string{"object_lock"},
		},
		"lock days changed": {
			model: func(m *bucketModel) {
				m.ObjectLock = &objectLockModel{Mode: types.StringValue("COMPLIANCE"), Days: types.Int64Value(10)}
			},
			api: func(b *awsapi.Bucket) {
				b.ObjectLockEnabled, b.ObjectLock = true, &awsapi.ObjectLock{Mode: "COMPLIANCE", Days: 5}
			},
			wantChanged: []string{"object_lock"},
		},
		"tag added": {
			api:         func(b *awsapi.Bucket) { b.Tags = map[string]string{"owner": "mallory"} },
			wantChanged: []string{"tags"},
		},
		"import compares no arguments but reports violations": {
			model: func(m *bucketModel) {
				*m = bucketModel{ID: m.ID, KMSKeyARN: types.StringNull(), ExpirationDays: types.Int64Null(),
					ForceDestroy: types.BoolNull(), Tags: types.MapNull(types.StringType)}
			},
			api:            func(b *awsapi.Bucket) { b.Versioning = "" },
			wantViolations: []string{"versioning"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := bucketTestModel()
			if tc.model != nil {
				tc.model(&m)
			}
			b := compliantBucket()
			if tc.api != nil {
				tc.api(b)
			}
			changed, violations := m.fromAPI(ctx, b)
			if !slices.Equal(changed, tc.wantChanged) {
				t.Errorf("changed = %v, want %v", changed, tc.wantChanged)
			}
			var broken []string
			m.GuaranteesBroken.ElementsAs(ctx, &broken, false)
			if !slices.Equal(broken, tc.wantViolations) || m.GuaranteesBroken.IsNull() {
				t.Errorf("guarantees_broken = %v, want %v", m.GuaranteesBroken, tc.wantViolations)
			}
			if !slices.Equal(violations, tc.wantViolations) {
				t.Errorf("violations = %v, want %v", violations, tc.wantViolations)
			}
			if m.ID.ValueString() != "records" || m.ARN.ValueString() != "arn:aws:s3:::records" || m.ForceDestroy.IsNull() {
				t.Errorf("model not filled in: %+v", m)
			}
		})
	}
}

func TestBucketModel_toAPI(t *testing.T) {
	m := bucketTestModel()
	m.ObjectLock = &objectLockModel{Mode: types.StringValue("GOVERNANCE"), Days: types.Int64Value(7)}
	m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue("crm")})
	m.NoncurrentVersionDays = types.Int64Value(14)
	in, err := m.toAPI(context.Background(), "records-20261125")
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "records-20261125" || in.KMSKeyARN != testKeyARN || in.ExpirationDays != 30 || in.NoncurrentVersionDays != 14 ||
		in.ObjectLock == nil || *in.ObjectLock != (awsapi.ObjectLock{Mode: "GOVERNANCE", Days: 7}) || in.Tags["team"] != "crm" {
		t.Errorf("toAPI = %+v", in)
	}
}

// TestBucketModel_createdIsThePlan checks the state a create saves without reading back: the bucket its
// input implies keeps every guarantee and gives back the planned arguments, so the plan after apply is empty.
// TestAccBucket_createdIsWhatS3Reports checks that the implied bucket is what S3 then reports.
func TestBucketModel_createdIsThePlan(t *testing.T) {
	ctx := context.Background()
	tests := map[string]func(*bucketModel){
		"minimal":    nil,
		"empty tags": func(m *bucketModel) { m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{}) },
		"object lock and tags": func(m *bucketModel) {
			m.ObjectLock = &objectLockModel{Mode: types.StringValue("COMPLIANCE"), Days: types.Int64Value(7)}
			m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue("crm")})
		},
		"thirty noncurrent days": func(m *bucketModel) { m.NoncurrentVersionDays = types.Int64Value(30) },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			plan := bucketTestModel()
			if edit != nil {
				edit(&plan)
			}
			in, err := plan.toAPI(ctx, "records")
			if err != nil {
				t.Fatal(err)
			}
			got := plan
			changed, violations := got.fromAPI(ctx, in.Created("eu-central-1"))
			if len(changed) > 0 || len(violations) > 0 {
				t.Errorf("changed = %v, violations = %v, want none", changed, violations)
			}
			if !got.KMSKeyARN.Equal(plan.KMSKeyARN) || !got.ExpirationDays.Equal(plan.ExpirationDays) ||
				!got.NoncurrentVersionDays.Equal(plan.NoncurrentVersionDays) ||
				!sameLock(got.ObjectLock, plan.ObjectLock) || !got.Tags.Equal(plan.Tags) {
				t.Errorf("state %+v differs from the plan %+v", got, plan)
			}
		})
	}
}

func TestNewBucketName(t *testing.T) {
	now := time.Date(2026, 11, 25, 5, 4, 3, 0, time.UTC)
	m := bucketTestModel()
	if got, _ := newBucketName(m, now); got != "records" {
		t.Errorf("configured name = %q, want records", got)
	}
	m.Bucket, m.BucketPrefix = types.StringUnknown(), types.StringValue("records-")
	a, _ := newBucketName(m, now)
	b, _ := newBucketName(m, now)
	if !regexp.MustCompile(`^records-20261125050403[a-z0-9]{6}$`).MatchString(a) || a == b {
		t.Errorf("generated names %q and %q, want records-<timestamp><6 random>, different each time", a, b)
	}
	if len(a)-len("records-") != generatedSuffixLen {
		t.Errorf("generated %d characters, want %d", len(a)-len("records-"), generatedSuffixLen)
	}
	if p := s3name.Problems(a); len(p) != 0 {
		t.Errorf("generated name %q breaks the naming rules: %v", a, p)
	}
}

// BenchmarkBucketModel_fromAPI measures turning what S3 reports into the model, which every refresh of a
// gdpr_bucket does; the bucket is compliant and unchanged, the common case.
func BenchmarkBucketModel_fromAPI(b *testing.B) {
	ctx := b.Context()
	api := compliantBucket()
	m := bucketTestModel()
	changed, violations := m.fromAPI(ctx, api)
	if len(changed) != 0 || len(violations) != 0 {
		b.Fatalf("fromAPI on a compliant, unchanged bucket: changed %v, violations %v", changed, violations)
	}
	b.ReportAllocs()
	for b.Loop() {
		m := bucketTestModel()
		changed, violations = m.fromAPI(ctx, api)
	}
	if len(changed) != 0 || len(violations) != 0 {
		b.Fatalf("fromAPI in the loop: changed %v, violations %v", changed, violations)
	}
}

func TestGeneratedFrom_onlyNamesTheProviderGenerates(t *testing.T) {
	generated, err := newBucketName(bucketModel{Bucket: types.StringNull(), BucketPrefix: types.StringValue("records-")}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	is := generatedFrom("records-")
	if !is(generated) {
		t.Errorf("%q, generated from records-, is not recognised", generated)
	}
	for _, other := range []string{
		"records-", "records-eu-20261201120000abcdef", "records-2026120112000abcdefg", "records-20261201120000ABCDEF",
		"records-20261201120000abcdefg", "invoices-20261201120000abcdef",
	} {
		if is(other) {
			t.Errorf("%q is taken for a name generated from records-", other)
		}
	}
}

// A create that a provider without noncurrent_version_days left half-made carries the fingerprint of that
// provider's input, which had no such field; the same create now, with the default day, has the same
// fingerprint, so it finishes that bucket instead of leaving it behind. Another number of days is another
// create.
func TestBucketModel_fingerprintOfTheDefaultIsUnchanged(t *testing.T) {
	// The input as it was before the argument, field for field.
	type inputBefore struct {
		Name           string
		KMSKeyARN      string
		ExpirationDays int32
		ObjectLock     *awsapi.ObjectLock
		Tags           map[string]string
		AwaitsData     bool
		Replaces       string
	}
	m := bucketTestModel()
	in, err := m.toAPI(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	before := awsapi.Fingerprint("eu-central-1", ResourceType,
		inputBefore{KMSKeyARN: in.KMSKeyARN, ExpirationDays: in.ExpirationDays, Tags: in.Tags},
		m.Bucket.ValueString(), m.BucketPrefix.ValueString())
	if got := m.fingerprint("eu-central-1", in); got != before {
		t.Errorf("with the default noncurrent days the fingerprint is %s, want %s as before the argument", got, before)
	}
	in.NoncurrentVersionDays = 30
	if m.fingerprint("eu-central-1", in) == before {
		t.Error("30 noncurrent days have the fingerprint of the default")
	}
}
