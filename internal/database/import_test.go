package database_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// legacyDatabase creates, with the SDK, a DB instance as teams made them before: unencrypted, publicly
// accessible, with a password in the request and none of the provider's guarantees. The test removes it
// if the test itself did not.
func legacyDatabase(t *testing.T, id string, tags map[string]string) {
	t.Helper()
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), EngineVersion: aws.String("17.4"),
		DBInstanceClass: aws.String("db.t4g.medium"), AllocatedStorage: aws.Int32(50), MasterUsername: aws.String("gdpr_admin"),
		MasterUserPassword: aws.String("not-a-secret-1"), PubliclyAccessible: aws.Bool(true), BackupRetentionPeriod: aws.Int32(7),
	}
	for k, v := range tags {
		in.Tags = append(in.Tags, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	c := rdsClient(t)
	if _, err := c.CreateDBInstance(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = c.DeleteDBInstance(context.Background(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)})
	})
}

// TestAccDatabase_importedLegacyDatabaseIsReplacedThroughAMove imports, with an import block, a database
// that breaks the guarantees: the same plan, with on_replace = "move_data", replaces it by a database
// restored from its final snapshot copied under the key (which encrypts it), keeping every guarantee, with
// no snapshot left.
func TestAccDatabase_importedLegacyDatabaseIsReplacedThroughAMove(t *testing.T) {
	id := randomIdentifier("legacy")
	legacyDatabase(t, id, nil)
	config := dbConfig("", id, "  on_replace = \"move_data\"\n  force_destroy = true\n") + fmt.Sprintf(`
import {
  to = %s
  id = %q
}
`, dbAddr, id)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dbAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(checkGuarantees(t, id, "a", nil), func(s *terraform.State) error {
					if got := s.RootModule().Resources[dbAddr].Primary.Attributes["restored_from_snapshot"]; !strings.HasPrefix(got, "gdpr-move-"+id+"-") {
						return fmt.Errorf("the legacy database was replaced without its data: restored_from_snapshot is %q", got)
					}
					if left := snapshotsOf(t, id); len(left) > 0 {
						return fmt.Errorf("the move left snapshots: %v", left)
					}
					return nil
				}),
			},
		},
	})
}

// A database the provider creates records its account, region and identifier as its identity, and an
// import block naming that identity adopts it.
func TestAccDatabase_identityIsRecordedAndImports(t *testing.T) {
	id := randomIdentifier("identity")
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ResourceIdentity},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: dbConfig("", id, "  force_destroy = true\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(dbAddr, map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact("123456789012"),
						"region":     knownvalue.StringExact(acctest.Region),
						"id":         knownvalue.StringExact(id),
					}),
					statecheck.ExpectIdentityValueMatchesState(dbAddr, tfjsonpath.New("id")),
				},
			},
			{
				// An import gets force_destroy's default, so the configuration imported into leaves it unset
				// (the destroy at the end uses the state of the first step).
				Config:       dbConfig("", id, ""),
				ResourceName: dbAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// TestAccDatabaseList_findsUnmanagedAndNonCompliant lists the databases whose identifiers share a prefix:
// one the provider made, the legacy one made with the SDK; each is judged as a refresh judges it.
func TestAccDatabaseList_findsUnmanagedAndNonCompliant(t *testing.T) {
	prefix := strings.ToLower(randomIdentifier("list"))
	managed, legacy := prefix+"-managed", prefix+"-legacy"
	legacyDatabase(t, legacy, map[string]string{"gdpr-personal-data": "true"})
	byID := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"account_id": knownvalue.NotNull(), "region": knownvalue.StringExact(acctest.Region), "id": knownvalue.StringExact(id),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ListResources},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, managed),
		Steps: []resource.TestStep{
			{Config: dbConfig("", managed, "  force_destroy = true\n")},
			{
				Query: true,
				Config: fmt.Sprintf(`
list "gdpr_database" "all" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %[1]q
  }
}

list "gdpr_database" "personal_non_compliant" {
  provider = gdpr
  config {
    name_prefix        = %[1]q
    tags               = { "gdpr-personal-data" = "true" }
    non_compliant_only = true
  }
}
`, prefix+"-"),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("gdpr_database.all", 2),
					querycheck.ExpectResourceDisplayName("gdpr_database.all", byID(managed),
						knownvalue.StringExact(managed+" (EU, eu-central-1): compliant")),
					querycheck.ExpectResourceDisplayName("gdpr_database.all", byID(legacy),
						knownvalue.StringRegexp(regexp.MustCompile(`^`+legacy+` \(EU, eu-central-1\): breaks: storage_encrypted, publicly_accessible, deletion_protection, auto_minor_version_upgrade, master_user_secret, iam_database_authentication, copy_tags_to_snapshot$`))),
					querycheck.ExpectLength("gdpr_database.personal_non_compliant", 1),
				},
			},
		},
	})
}
