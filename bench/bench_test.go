package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

func TestDiffInventories(t *testing.T) {
	ours := []string{"bucket a", "bucket a", "key k"}
	theirs := []string{"bucket a", "key k", "server s"}
	got := diffInventories(ours, theirs)
	want := []string{"only aws (1x): server s", "only gdpr (1x): bucket a"}
	if !slices.Equal(got, want) {
		t.Errorf("diffInventories = %q, want %q", got, want)
	}
	if d := diffInventories(theirs, []string{"server s", "key k", "bucket a"}); d != nil {
		t.Errorf("the same lines in another order differ: %q", d)
	}
}

func TestNormalJSONComparesByMeaning(t *testing.T) {
	a, err := normalJSON(`{"b": [1, 2], "a": {"y": true, "x": "s"}}`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := normalJSON(`{"a":{"x":"s","y":true},"b":[1,2]}`)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("equal documents normalise differently: %s and %s", a, b)
	}
	if c, _ := normalJSON(`{"a":{"x":"s","y":true},"b":[2,1]}`); c == a {
		t.Error("a reordered list must not compare equal")
	}
	if _, err := normalJSON("{"); err == nil {
		t.Error("broken JSON must be an error")
	}
}

func TestMedianAndRatios(t *testing.T) {
	pr := &providerResult{runs: [][]measure{
		{{wall: 3 * time.Second, rssKiB: 2048, requests: map[string]int{"s3:PUT": 2, "kms:CreateKey": 1}}},
		{{wall: 1 * time.Second, rssKiB: 1024, requests: map[string]int{"s3:PUT": 2, "kms:CreateKey": 1}}},
		{{wall: 2 * time.Second, rssKiB: 4096, requests: map[string]int{"s3:PUT": 4}}},
	}}
	if got := seconds(pr, 0); got != 2 {
		t.Errorf("median time = %v, want 2", got)
	}
	if got := mib(pr, 0); got != 2 {
		t.Errorf("median RSS = %v MiB, want 2", got)
	}
	if got := requests(pr, 0, "s3:"); got != 2 {
		t.Errorf("median S3 requests = %d, want 2", got)
	}
	if got := requests(pr, 0, ""); got != 3 {
		t.Errorf("median requests = %d, want 3", got)
	}
	pr.runs = pr.runs[:2]
	if got := seconds(pr, 0); got != 2 {
		t.Errorf("median of two = %v, want their mean 2", got)
	}
	if got := ratio(1, 4); got != "0.25" {
		t.Errorf("ratio = %s", got)
	}
	if got := ratio(1, 0); got != "-" {
		t.Errorf("ratio against nothing = %s, want -", got)
	}
}

func TestPeakRSS(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rss")
	if err := os.WriteFile(file, []byte("1200\n56000\n3000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := peakRSS(file); err != nil || got != 56000 {
		t.Errorf("peakRSS = %d, %v; want 56000", got, err)
	}
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := peakRSS(file); err == nil || !strings.Contains(err.Error(), "wrapper") {
		t.Errorf("an empty record must say the wrapper did not run, got %v", err)
	}
}

// uses matches a resource of provider p, declared or referred to. The master user both database
// configurations name, gdpr_admin (gdpr_database's default), is neither.
func uses(p string) *regexp.Regexp {
	return regexp.MustCompile(`(resource|data) "` + p + `_|\b` + p + `_\w+\.\w`)
}

func TestScenariosConfigureEveryProvider(t *testing.T) {
	for _, sc := range []scenario{smallScenario(), serversScenario(2), bucketsScenario(3), databasesScenario(2)} {
		g, a := sc.config(gdpr, "http://127.0.0.1:1"), sc.config(aws, "http://127.0.0.1:1")
		if !uses(gdpr).MatchString(g) || !uses(aws).MatchString(a) {
			t.Errorf("%s: a configuration declares none of its own provider's resources:\n%s\n%s", sc.name, g, a)
		}
		if !strings.Contains(g, `provider "gdpr"`) || uses(aws).MatchString(g) {
			t.Errorf("%s: the gdpr configuration uses hashicorp/aws:\n%s", sc.name, g)
		}
		if !strings.Contains(a, `provider "aws"`) || uses(gdpr).MatchString(a) {
			t.Errorf("%s: the aws configuration uses gdpr:\n%s", sc.name, a)
		}
	}
}

// TestDatabasesScenario_awsConfigurationMirrorsEveryGuarantee holds the databases scenario to comparing like
// with like: every guarantee gdpr_database keeps must be set by hand in aws_db_instance's configuration, so a
// guarantee added to the resource fails here until the benchmark's hashicorp/aws side is given it too.
// Deletion protection is the one setting the scenario gives differently, on purpose (see awsDatabases).
func TestDatabasesScenario_awsConfigurationMirrorsEveryGuarantee(t *testing.T) {
	mirrors := map[string][]string{
		"storage_encrypted":           {`storage_encrypted = true`, `kms_key_id = aws_kms_key.k.arn`},
		"publicly_accessible":         {`publicly_accessible = false`},
		"deletion_protection":         {`deletion_protection = false`, `skip_final_snapshot = true`},
		"auto_minor_version_upgrade":  {`auto_minor_version_upgrade = false`},
		"master_user_secret":          {`manage_master_user_password = true`, `master_user_secret_kms_key_id = aws_kms_key.k.arn`},
		"iam_database_authentication": {`iam_database_authentication_enabled = true`},
		"copy_tags_to_snapshot":       {`copy_tags_to_snapshot = true`},
		// The arguments both configurations share, so the two providers make databases of one shape.
		"same arguments": {`engine = "postgres"`, `engine_version = "17.4"`, `instance_class = "db.t4g.micro"`,
			`allocated_storage = 20`, `backup_retention_period = 7`, `username = "gdpr_admin"`},
	}
	// A database breaking every guarantee, so that Problems names them all.
	broken := (&awsapi.Database{PubliclyAccessible: true, AutoMinorVersionUpgrade: true}).Problems()
	if len(broken) < 7 {
		t.Fatalf("a database breaking every guarantee is reported as breaking only %v", broken)
	}
	sc := databasesScenario(2)
	a := hclLines(sc.config(aws, "http://127.0.0.1:1"))
	g := hclLines(sc.config(gdpr, "http://127.0.0.1:1"))
	check := func(name string) {
		want, ok := mirrors[name]
		if !ok {
			t.Errorf("gdpr_database guarantees %s, which the benchmark's aws_db_instance is not given: add it to awsDatabases and to this test", name)
		}
		for _, line := range want {
			if !slices.Contains(a, line) {
				t.Errorf("%s: the aws configuration lacks %q", name, line)
			}
		}
	}
	for _, p := range broken {
		check(p.Name)
	}
	check("same arguments")
	for _, line := range []string{`engine = "postgres"`, `engine_version = "17.4"`, `instance_class = "db.t4g.micro"`,
		`allocated_storage_gib = 20`, `backup_retention_days = 7`, `kms_key_arn = gdpr_key.k.arn`, `force_destroy = true`} {
		if !slices.Contains(g, line) {
			t.Errorf("the gdpr configuration lacks %q", line)
		}
	}
	for _, c := range []string{sc.config(gdpr, "http://127.0.0.1:1"), sc.config(aws, "http://127.0.0.1:1")} {
		if !strings.Contains(c, `rds = "http://127.0.0.1:1"`) {
			t.Errorf("the provider does not send RDS requests to the emulator:\n%s", c)
		}
	}
}

// hclLines returns the configuration's lines with the alignment terraform fmt adds taken out.
func hclLines(config string) []string {
	var lines []string
	for _, l := range strings.Split(config, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return lines
}

func TestRenderScenario_reportsRDSRequestsPerDatabase(t *testing.T) {
	pr := func(apply, refresh, destroy int) *providerResult {
		return &providerResult{runs: [][]measure{{
			{wall: time.Second, rssKiB: 1024, requests: map[string]int{"rds:CreateDBInstance": apply, "kms:CreateKey": 1}},
			{wall: time.Second, rssKiB: 1024, requests: map[string]int{"rds:DescribeDBInstances": refresh}},
			{wall: time.Second, rssKiB: 1024, requests: map[string]int{"rds:DeleteDBInstance": destroy}},
		}}}
	}
	res := &scenarioResult{sc: databasesScenario(2), providers: map[string]*providerResult{gdpr: pr(22, 4, 14), aws: pr(14, 2, 16)}}
	report := renderReport(&options{runs: 1, parallelism: 10}, []*scenarioResult{res}, "machine")
	want := "RDS requests per database: apply gdpr 11.0 / aws 7.0; plan (refresh, no changes) gdpr 2.0 / aws 1.0; destroy gdpr 7.0 / aws 8.0;"
	if !strings.Contains(report, "## databases N=2") || !strings.Contains(report, want) {
		t.Errorf("the report lacks the databases section or %q:\n%s", want, report)
	}
}

// startTestEmulator starts the benchmark's emulator for a test, which needs moto_server (MOTO_SERVER, else
// PATH) and, for the sync, the AWS CLI; like the acceptance tests, it runs only with TF_ACC set.
func startTestEmulator(t *testing.T) *emulator {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("needs the AWS emulator: TF_ACC is not set (set it, with MOTO_SERVER naming moto_server)")
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	e, err := startEmulator(envOr("MOTO_SERVER", "moto_server"), filepath.Join(repo, "scripts", "moto-tls.py"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

// TestEmulator_TLSOnlyBucketTakesObjectsOverTLSAndSyncCopiesThem proves what the move scenario stands on: a
// bucket with gdpr_bucket's TLS-only policy takes objects over the emulator's TLS endpoint and refuses them
// over plain HTTP, aws s3 sync through the TLS proxy copies every object and is counted, and the check the
// scenario runs afterwards fails when objects are missing.
func TestEmulator_TLSOnlyBucketTakesObjectsOverTLSAndSyncCopiesThem(t *testing.T) {
	e := startTestEmulator(t)
	ctx := context.Background()
	c := e.s3Client()
	bucket := "tls-only"
	if err := createBucket(ctx, c, bucket); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*",` +
		`"Action":"s3:*","Resource":["arn:aws:s3:::tls-only","arn:aws:s3:::tls-only/*"],` +
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &policy}); err != nil {
		t.Fatal(err)
	}
	if err := putObjects(ctx, c, bucket, 50); err != nil {
		t.Fatalf("objects over TLS into a TLS-only bucket: %v", err)
	}
	if err := checkObjects(ctx, c, bucket, 50); err != nil {
		t.Fatal(err)
	}
	plain := s3.NewFromConfig(sdkaws.Config{
		Region: region, Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: sdkaws.String(e.Endpoint),
	}, func(o *s3.Options) { o.UsePathStyle = true })
	if err := putObjects(ctx, plain, bucket, 1); err == nil {
		t.Error("an object over plain HTTP was stored in a TLS-only bucket: the emulator does not enforce the policy")
	}

	cli, err := exec.LookPath(envOr("AWS_CLI", "aws"))
	if err != nil {
		t.Skipf("the AWS CLI is not installed: %v", err)
	}
	for _, b := range []string{"src", "dst"} {
		if err := createBucket(ctx, c, b); err != nil {
			t.Fatal(err)
		}
	}
	const n = 120
	if err := putObjects(ctx, c, "src", n); err != nil {
		t.Fatal(err)
	}
	if err := checkObjects(ctx, c, "dst", n); err == nil || !strings.Contains(err.Error(), "120 objects missing") {
		t.Errorf("an empty destination passed the check: %v", err)
	}
	e.take()
	r := &runner{o: &options{awsCLI: cli}, emu: e}
	m, err := r.awsSync(t.TempDir(), "src", "dst")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkObjects(ctx, c, "dst", n); err != nil {
		t.Error(err)
	}
	if got := m.requests["s3:CopyObject"]; got != n {
		t.Errorf("the proxy counted %d server-side copies, want %d (all: %s)", got, n, opsSummary(m.requests))
	}
	if m.rssKiB == 0 || m.wall <= 0 {
		t.Errorf("the sync was not measured: %+v", m)
	}
}

func TestRenderMove_reportsObjectsPerSecondRSSAndGrowth(t *testing.T) {
	run := func(move, sync time.Duration, rss int64) moveRun {
		return moveRun{
			seed: 50 * time.Second,
			move: measure{wall: move, rssKiB: rss, requests: map[string]int{"s3:CopyObject": 10000, "s3:HEAD/object": 20000}},
			sync: measure{wall: sync, rssKiB: 70 * 1024, requests: map[string]int{"s3:CopyObject": 10000}},
		}
	}
	small := &scenarioResult{sc: moveScenario(10000), moves: []moveRun{run(100*time.Second, 80*time.Second, 45*1024)}}
	large := &scenarioResult{sc: moveScenario(30000), moves: []moveRun{run(300*time.Second, 240*time.Second, 46*1024)}}
	report := renderReport(&options{runs: 1, parallelism: 10}, []*scenarioResult{small, large}, "machine")
	for _, want := range []string{
		"| gdpr: `terraform apply` (move) | 100.00 | 100 | 45 | 30000 | 3.00 |",
		"| AWS CLI: `aws s3 sync` | 80.00 | 125 | 70 | 10000 | 1.00 |",
		"| emulator's pace: SDK `PutObject`, 16 in flight | 50.00 | 200 | - | 10000 | 1.00 |",
		"| 30000 | 100 | 46 | 125 | 70 |",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "## Targets") {
		t.Errorf("a move alone speaks to none of the targets against hashicorp/aws:\n%s", report)
	}
}

// TestEmulator_versionListingContinuesPastADeletedMarker proves the emulator lists object versions as AWS does
// when each page is deleted before the next is asked for, as the move and a bucket's erasure do: the markers
// name a position, not a version that must still exist. moto alone ends the listing there, which left all but
// the first page of a move's source bucket in place.
func TestEmulator_versionListingContinuesPastADeletedMarker(t *testing.T) {
	e := startTestEmulator(t)
	ctx := context.Background()
	c := e.s3Client()
	bucket := "versions"
	if err := createBucket(ctx, c, bucket); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: &bucket, VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatal(err)
	}
	const n, page = 250, 100
	if err := putObjects(ctx, c, bucket, n); err != nil {
		t.Fatal(err)
	}
	deleted := 0
	in := &s3.ListObjectVersionsInput{Bucket: &bucket, MaxKeys: sdkaws.Int32(page)}
	for {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var ids []s3types.ObjectIdentifier
		for _, v := range out.Versions {
			ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		if len(ids) > 0 {
			if _, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &s3types.Delete{Objects: ids}}); err != nil {
				t.Fatal(err)
			}
		}
		deleted += len(ids)
		if !sdkaws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
	if deleted != n {
		t.Errorf("listing page by page while deleting each page found %d versions, want %d", deleted, n)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &bucket}); err != nil {
		t.Errorf("the bucket is not empty after every listed version was deleted: %v", err)
	}
}

// TestInventory_comparesDatabasesWithoutDeletionProtectionAndListsSnapshots proves what the databases
// scenario's comparison and its clean-up check stand on: a database made as gdpr_database makes it and one
// made as the benchmark's aws_db_instance asks (the same settings, no deletion protection) describe alike, a
// database missing a guarantee does not, and a DB snapshot left behind shows in the inventory.
func TestInventory_comparesDatabasesWithoutDeletionProtectionAndListsSnapshots(t *testing.T) {
	e := startTestEmulator(t)
	ctx := context.Background()
	list := listers(e.motoURL)
	key, err := list.kms.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := sdkaws.ToString(key.KeyMetadata.Arn)
	c, err := awsapi.New(ctx, awsapi.Config{
		Region: region, AccessKey: "testing", SecretKey: "testing", MaxRetries: 3,
		Endpoints: awsapi.Endpoints{KMS: e.motoURL, RDS: e.motoURL, STS: e.motoURL},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.CreateDatabase(ctx, awsapi.DatabaseInput{
		Identifier: "bench-gdpr-0", Engine: "postgres", EngineVersion: "17.4", InstanceClass: "db.t4g.micro",
		AllocatedStorageGiB: 20, KMSKeyARN: keyARN, BackupRetentionDays: 7, MasterUsername: "gdpr_admin",
	}, "fingerprint")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.FinishDatabase(ctx, d); err != nil {
		t.Fatal(err)
	}
	asAWS := func(identifier string, copyTags bool) {
		t.Helper()
		_, err := list.rds.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: sdkaws.String(identifier), Engine: sdkaws.String("postgres"),
			EngineVersion: sdkaws.String("17.4"), DBInstanceClass: sdkaws.String("db.t4g.micro"),
			AllocatedStorage: sdkaws.Int32(20), StorageEncrypted: sdkaws.Bool(true), KmsKeyId: sdkaws.String(keyARN),
			MasterUsername: sdkaws.String("gdpr_admin"), ManageMasterUserPassword: sdkaws.Bool(true),
			MasterUserSecretKmsKeyId: sdkaws.String(keyARN), PubliclyAccessible: sdkaws.Bool(false),
			AutoMinorVersionUpgrade: sdkaws.Bool(false), EnableIAMDatabaseAuthentication: sdkaws.Bool(true),
			CopyTagsToSnapshot: sdkaws.Bool(copyTags), BackupRetentionPeriod: sdkaws.Int32(7),
			DeletionProtection: sdkaws.Bool(false),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	databases := func() []string {
		t.Helper()
		inv, err := inventory(ctx, e.motoURL)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, l := range inv {
			if strings.HasPrefix(l, "database ") {
				out = append(out, l)
			}
		}
		return out
	}

	asAWS("bench-aws-0", true)
	got := databases()
	if len(got) != 2 || got[0] != got[1] {
		t.Errorf("gdpr_database's instance and aws_db_instance's with the same settings describe apart:\n  %s", strings.Join(got, "\n  "))
	}
	asAWS("bench-aws-1", false)
	if got := databases(); len(got) != 3 || len(slices.Compact(got)) != 2 {
		t.Errorf("an instance whose snapshots do not carry its tags describes as the others do:\n  %s", strings.Join(got, "\n  "))
	}
	if _, err := list.rds.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{
		DBInstanceIdentifier: sdkaws.String("bench-aws-0"), DBSnapshotIdentifier: sdkaws.String("left-behind"),
	}); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory(ctx, e.motoURL)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(inv, func(l string) bool { return strings.HasPrefix(l, "db-snapshot type=manual") }) {
		t.Errorf("a manual DB snapshot is not in the inventory, so a destroy leaving one would pass:\n  %s", strings.Join(inv, "\n  "))
	}
}

// TestFloorScenario_comparesTheSameCountOfResources holds the floor scenario to like with like: for N
// resources, this provider's configuration declares a key and N-1 buckets, the floor provider's and Terraform's
// alone N of their one type, and only this provider's talks to an AWS endpoint.
func TestFloorScenario_comparesTheSameCountOfResources(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		g := floorConfig(floorGDPR, n, "http://127.0.0.1:1")
		got := strings.Count(g, `resource "gdpr_key"`)
		if strings.Contains(g, `resource "gdpr_bucket"`) {
			got += int(mustAtoi(t, regexp.MustCompile(`count\s+=\s+(\d+)`).FindStringSubmatch(g)[1]))
		}
		if got != n {
			t.Errorf("N=%d: the gdpr configuration declares %d resources", n, got)
		}
		for kind, typ := range map[string]string{floorFloor: "floor_thing", floorCore: "terraform_data"} {
			c := floorConfig(kind, n, "http://127.0.0.1:1")
			if !strings.Contains(c, `resource "`+typ+`"`) || !strings.Contains(c, fmt.Sprintf("count = %d\n", n)) {
				t.Errorf("N=%d: the %s configuration does not declare %d %s:\n%s", n, kind, n, typ, c)
			}
			if strings.Contains(c, "127.0.0.1") {
				t.Errorf("N=%d: the %s configuration talks to the emulator:\n%s", n, kind, c)
			}
		}
	}
}

// TestFloorRatio_isTheMedianOfEachTurnsRatio checks that a ratio pairs the figures of one turn, so that a slow
// turn for both configurations does not move it, and that the report marks a missed target.
func TestFloorRatio_isTheMedianOfEachTurnsRatio(t *testing.T) {
	turn := func(gdprWall, floorWall time.Duration) map[string][]floorMeasure {
		return map[string][]floorMeasure{
			floorGDPR:  {{wall: gdprWall}, {wall: gdprWall}, {wall: gdprWall}},
			floorFloor: {{wall: floorWall}, {wall: floorWall}, {wall: floorWall}},
			floorCore:  {{wall: time.Second}, {wall: time.Second}, {wall: time.Second}},
		}
	}
	res := &scenarioResult{sc: floorScenario(2), floors: map[string][][]floorMeasure{}}
	// Turn ratios 2, 2 and 1.5; the ratio of the medians of the figures would give 1.5.
	for _, tr := range []map[string][]floorMeasure{turn(2*time.Second, time.Second), turn(8*time.Second, 4*time.Second), turn(3*time.Second, 2*time.Second)} {
		for kind, ms := range tr {
			res.floors[kind] = append(res.floors[kind], ms)
		}
	}
	if got := floorRatio(res, floorGDPR, floorFloor, 1, wallOf); got != 2 {
		t.Errorf("gdpr/floor = %v, want the median of the turns' ratios, 2", got)
	}
	var b strings.Builder
	renderFloor(&b, res)
	if !strings.Contains(b.String(), "**missed**: plan -refresh=false (no changes), wall time within 1.1x the floor provider's: 2.00x") {
		t.Errorf("the report does not mark the missed target:\n%s", b.String())
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNeededRequests_oneReadPerGuaranteeAndNothingBeyond checks the definition a refresh is held to and that
// the report names every operation sent beyond it: a second read of a setting, or a request the definition
// does not know.
func TestNeededRequests_oneReadPerGuaranteeAndNothingBeyond(t *testing.T) {
	resources := map[string]int{"gdpr_key": 1, "gdpr_bucket": 2}
	need, ok := neededRequests(stepPlanRefresh, resources)
	if !ok || total(need) != 4+2*9+1 || need["s3:GET?versioning"] != 2 || need[identityAccount] != 1 {
		t.Fatalf("a refresh of a key and two buckets needs %v (%d), want 4 KMS reads, 9 S3 reads per bucket and the account once", need, total(need))
	}
	for _, st := range []step{stepValidate, floorSteps[2]} {
		if need, ok := neededRequests(st, resources); !ok || total(need) != 0 {
			t.Errorf("%s needs %v, want nothing", st.name, need)
		}
	}
	if _, ok := neededRequests(stepApply, resources); ok {
		t.Errorf("apply has a definition here, want none: the report would print a number nobody defined")
	}
	if _, ok := neededRequests(stepPlanRefresh, map[string]int{"gdpr_guard": 1}); ok {
		t.Errorf("a type without a definition gave one")
	}
	sent := maps.Clone(need)
	sent["s3:GET?versioning"] += 1
	sent["s3:HEAD"] = 2
	if got := beyondNeed(sent, need); !slices.Equal(got, []string{"s3:GET?versioning +1", "s3:HEAD +2"}) {
		t.Errorf("beyond the definition: %v, want the second versioning read and the two HEADs", got)
	}
	if got := beyondNeed(need, need); len(got) != 0 {
		t.Errorf("a refresh that sends what it needs is reported beyond it: %v", got)
	}
}

// TestRenderBeside_reportsTheFloorsAndTheRequestsNeeded checks the floor columns of a scenario: the floor
// provider's and Terraform's figures for the same steps, and the requests against the definition.
func TestRenderBeside_reportsTheFloorsAndTheRequestsNeeded(t *testing.T) {
	sc := bucketsScenario(1)
	run := func(wall time.Duration, requests map[string]int) []measure {
		return []measure{{wall: 3 * wall, rssKiB: 20 << 10}, {wall: wall, rssKiB: 20 << 10, requests: requests}, {wall: 2 * wall, rssKiB: 20 << 10}}
	}
	need, _ := neededRequests(stepPlanRefresh, map[string]int{"gdpr_key": 1, "gdpr_bucket": 1})
	sent := maps.Clone(need)
	sent["kms:DescribeKey"]++
	res := &scenarioResult{sc: sc,
		providers: map[string]*providerResult{gdpr: {runs: [][]measure{run(2*time.Second, sent)}, resources: map[string]int{"gdpr_key": 1, "gdpr_bucket": 1}}},
		beside: map[string]*providerResult{
			floorFloor: {runs: [][]measure{run(time.Second, nil)}},
			floorCore:  {runs: [][]measure{run(time.Second/2, nil)}},
		},
	}
	var b strings.Builder
	renderScenario(&b, res)
	for _, want := range []string{
		"over 2 resources",
		"| plan (refresh, no changes) | 2.00 | 1.00 | 0.50 | 2.00 | 4.00 | 20 | 20 | 15 | 14 | kms:DescribeKey +1 |",
		"| apply | 6.00 | 3.00 | 1.50 | 2.00 | 4.00 | 20 | 20 | 0 | - | - |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestScaleScenario_importsEveryResourceAndReportsOnlyThePlan checks hashicorp/aws's side of the scale
// scenario: one import block per resource of the buckets configuration, and a report that compares the plan
// alone, with no ratio for the steps hashicorp/aws did not run.
func TestScaleScenario_importsEveryResourceAndReportsOnlyThePlan(t *testing.T) {
	imports := awsImports(2)
	for _, typ := range regexp.MustCompile(`resource "(aws_s3_[a-z_]+)" "b"`).FindAllStringSubmatch(awsBuckets, -1) {
		if !strings.Contains(imports, "to       = "+typ[1]+".b[each.value.index]") {
			t.Errorf("nothing imports %s:\n%s", typ[1], imports)
		}
	}
	if got := strings.Count(imports, "import {"); got != 7 {
		t.Errorf("%d import blocks, want one per resource of a bucket, 7", got)
	}
	sc := scaleScenario(2)
	m := func(wall time.Duration) measure {
		return measure{wall: wall, rssKiB: 30 << 10, requests: map[string]int{"s3:GET?versioning": 2}}
	}
	res := &scenarioResult{sc: sc, providers: map[string]*providerResult{
		gdpr: {runs: [][]measure{{m(time.Second), m(time.Second), m(time.Second)}}},
		aws:  {runs: [][]measure{{{}, m(10 * time.Second), {}}}, setup: []measure{{wall: 30 * time.Second}}},
	}}
	var b strings.Builder
	renderScenario(&b, res)
	for _, want := range []string{"| apply | 1.00 | - | - | 30 | - | - | 2 | - | - |", "| plan (refresh, no changes) | 1.00 | 10.00 | 0.10 |",
		"The import (`terraform apply` of 14 import blocks, one per resource) took 30 s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, b.String())
		}
	}
	if got := targets([]*scenarioResult{res}); strings.Contains(got, "Inf") || strings.Contains(got, "apply 0.0x") {
		t.Errorf("the targets judge a step hashicorp/aws did not run:\n%s", got)
	}
}
