package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// inventory describes everything in the emulator as sorted lines, with names and identifiers replaced by
// placeholders, so the inventories two providers leave behind compare equal when they made the same
// resources with the same settings.
func inventory(ctx context.Context, endpoint string) ([]string, error) {
	c, err := awsapi.New(ctx, awsapi.Config{
		Region: region, AccessKey: "testing", SecretKey: "testing", S3UsePathStyle: true, MaxRetries: 3,
		Endpoints: awsapi.Endpoints{KMS: endpoint, S3: endpoint, EC2: endpoint, STS: endpoint, RDS: endpoint},
	})
	if err != nil {
		return nil, err
	}
	list := listers(endpoint)
	var lines []string
	// Identifiers differ between runs; what matters is which resource refers to which.
	var pairs []string

	keys, err := list.kms.ListKeys(ctx, &kms.ListKeysInput{})
	if err != nil {
		return nil, fmt.Errorf("listing keys: %w", err)
	}
	for i, k := range keys.Keys {
		key, err := c.ReadKey(ctx, sdkaws.ToString(k.KeyId))
		if err != nil {
			return nil, fmt.Errorf("reading key %s: %w", sdkaws.ToString(k.KeyId), err)
		}
		placeholder := fmt.Sprintf("<key%d>", i)
		pairs = append(pairs, key.ARN, placeholder, key.ID, placeholder)
		lines = append(lines, fmt.Sprintf("key description=%q state=%s spec=%s usage=%s multi_region=%t rotation=%t tags=%s",
			key.Description, key.State, key.KeySpec, key.KeyUsage, key.MultiRegion, key.RotationEnabled, tagString(key.Tags)))
	}
	ids := strings.NewReplacer(pairs...)

	buckets, err := list.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return nil, fmt.Errorf("listing buckets: %w", err)
	}
	for _, bk := range buckets.Buckets {
		name := sdkaws.ToString(bk.Name)
		b, err := c.ReadBucket(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("reading bucket %s: %w", name, err)
		}
		policy, err := normalJSON(strings.ReplaceAll(b.Policy, name, "<bucket>"))
		if err != nil {
			return nil, fmt.Errorf("bucket %s has a policy that is not JSON: %w", name, err)
		}
		lock := "none"
		if b.ObjectLock != nil {
			lock = fmt.Sprintf("%s/%dd", b.ObjectLock.Mode, b.ObjectLock.Days)
		}
		lines = append(lines, fmt.Sprintf("bucket versioning=%s sse=%s kms=%s bucket_key=%t expiration=%s noncurrent=%s multipart=%s "+
			"object_lock=%t/%s public_access_blocked=%t ownership=%s policy=%s tags=%s",
			b.Versioning, b.EncryptionAlgorithm, ids.Replace(b.KMSKeyID), b.BucketKeyEnabled, days(b.ExpirationDays),
			days(b.NoncurrentExpireDays), days(b.AbortMultipartAfterDays), b.ObjectLockEnabled, lock,
			b.PublicAccessBlocked, b.Ownership, policy, tagString(b.Tags)))
	}

	pages := ec2.NewDescribeInstancesPaginator(list.ec2, &ec2.DescribeInstancesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing instances: %w", err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				s, err := c.ReadServer(ctx, sdkaws.ToString(i.InstanceId))
				if err != nil {
					return nil, fmt.Errorf("reading instance %s: %w", sdkaws.ToString(i.InstanceId), err)
				}
				if s.State == "terminated" {
					continue
				}
				root := "none"
				if s.Root != nil {
					root = fmt.Sprintf("%dGiB/%s/encrypted=%t/kms=%s/delete_on_termination=%t",
						s.Root.SizeGB, s.Root.Type, s.Root.Encrypted, ids.Replace(s.Root.KMSKeyID), s.Root.DeleteOnTermination)
				}
				// The public address is left out: the emulator gives hashicorp/aws's instances one whatever
				// associate_public_ip_address says, while gdpr_server's network interface refuses one.
				lines = append(lines, fmt.Sprintf("server state=%s image=%s type=%s imds_tokens=%s hop_limit=%d shutdown=%s root=%s tags=%s",
					s.State, s.ImageID, s.InstanceType, s.MetadataHTTPTokens, s.MetadataHopLimit,
					s.ShutdownBehavior, root, tagString(s.Tags)))
			}
		}
	}

	for d, err := range c.ListDatabases(ctx, nil, "") {
		if err != nil {
			return nil, fmt.Errorf("listing DB instances: %w", err)
		}
		// Deletion protection is left out: gdpr_database keeps it on and lifts it in its own destroy, while
		// the benchmark's aws_db_instance is made without it so that a destroy can delete it (see awsDatabases).
		// The identifier is left out as a bucket's name is; the master secret is compared by its key.
		lines = append(lines, fmt.Sprintf("database state=%s engine=%s/%s class=%s storage=%dGiB encrypted=%t kms=%s public=%t "+
			"auto_minor_upgrade=%t iam_auth=%t copy_tags_to_snapshot=%t master_user=%s master_secret=%t master_secret_kms=%s "+
			"backup_days=%d subnet_group=%s security_groups=%d tags=%s",
			d.Status, d.Engine, d.EngineVersion, d.InstanceClass, d.AllocatedStorageGiB, d.StorageEncrypted,
			ids.Replace(d.KMSKeyID), d.PubliclyAccessible, d.AutoMinorVersionUpgrade, d.IAMAuthentication,
			d.CopyTagsToSnapshot, d.MasterUsername, d.MasterSecretARN != "", ids.Replace(d.MasterSecretKMSKey),
			d.BackupRetentionDays, d.SubnetGroupName, len(d.SecurityGroupIDs), tagString(d.Tags)))
	}
	// Snapshots are listed so that a destroy that leaves one behind, a copy of the personal data, fails the run.
	snapshots := rds.NewDescribeDBSnapshotsPaginator(list.rds, &rds.DescribeDBSnapshotsInput{})
	for snapshots.HasMorePages() {
		page, err := snapshots.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing DB snapshots: %w", err)
		}
		for _, sn := range page.DBSnapshots {
			lines = append(lines, fmt.Sprintf("db-snapshot type=%s engine=%s encrypted=%t kms=%s",
				sdkaws.ToString(sn.SnapshotType), sdkaws.ToString(sn.Engine), sdkaws.ToBool(sn.Encrypted), ids.Replace(sdkaws.ToString(sn.KmsKeyId))))
		}
	}
	sort.Strings(lines)
	return lines, nil
}

// sdkClients list what the emulator holds; the provider's own reads (awsapi) then describe each resource in
// the terms the comparison needs.
type sdkClients struct {
	kms *kms.Client
	s3  *s3.Client
	ec2 *ec2.Client
	rds *rds.Client
}

func listers(endpoint string) sdkClients {
	cfg := sdkaws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: sdkaws.String(endpoint),
	}
	return sdkClients{
		kms: kms.NewFromConfig(cfg),
		s3:  s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		ec2: ec2.NewFromConfig(cfg),
		rds: rds.NewFromConfig(cfg),
	}
}

func days(d *int32) string {
	if d == nil {
		return "none"
	}
	return fmt.Sprint(*d)
}

func tagString(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + tags[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// normalJSON re-encodes a JSON document with sorted keys, so documents equal in meaning compare equal.
func normalJSON(doc string) (string, error) {
	if doc == "" {
		return "none", nil
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v)
	return string(out), err
}

// diffInventories returns the lines only one side has, counted, or nil when both are the same.
func diffInventories(ours, theirs []string) []string {
	count := map[string]int{}
	for _, l := range ours {
		count[l]++
	}
	for _, l := range theirs {
		count[l]--
	}
	var diff []string
	for l, n := range count {
		switch {
		case n > 0:
			diff = append(diff, fmt.Sprintf("only %s (%dx): %s", gdpr, n, l))
		case n < 0:
			diff = append(diff, fmt.Sprintf("only %s (%dx): %s", aws, -n, l))
		}
	}
	sort.Strings(diff)
	return diff
}
