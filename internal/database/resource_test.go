package database_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccDatabase_basic creates a database, checks every guarantee by asking RDS, plans it again with no
// change, refuses its destroy at plan without force_destroy, and destroys it once force_destroy is in the
// state (an update of the state alone), leaving no snapshot behind.
func TestAccDatabase_basic(t *testing.T) {
	id := randomIdentifier("basic")
	body := `  tags = { team = "crm" }
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: dbConfig("", id, body),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:rds:eu-central-1:\d{12}:db:`+id+`$`))),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("resource_id"), knownvalue.StringRegexp(regexp.MustCompile(`^db-`))),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("master_user_secret_arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:secretsmanager:`))),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("master_username"), knownvalue.StringExact("gdpr_admin")),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("restored_from_snapshot"), knownvalue.Null()),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("guarantees_broken"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("EU")),
					statecheck.ExpectKnownValue(dbAddr, tfjsonpath.New("endpoint"), knownvalue.NotNull()),
				},
				Check: checkGuarantees(t, id, "a", func(db *rdstypes.DBInstance) error {
					if aws.ToString(db.Engine) != "postgres" || aws.ToString(db.EngineVersion) != "17.4" ||
						aws.ToString(db.DBInstanceClass) != "db.t4g.medium" || aws.ToInt32(db.AllocatedStorage) != 50 ||
						aws.ToInt32(db.BackupRetentionPeriod) != 7 || aws.ToString(db.MasterUsername) != "gdpr_admin" {
						return fmt.Errorf("DB instance %s was not made with the configured arguments: %s %s %s %d GiB, %d days, user %s",
							id, aws.ToString(db.Engine), aws.ToString(db.EngineVersion), aws.ToString(db.DBInstanceClass),
							aws.ToInt32(db.AllocatedStorage), aws.ToInt32(db.BackupRetentionPeriod), aws.ToString(db.MasterUsername))
					}
					if !hasTag(db.TagList, "team", "crm") {
						return fmt.Errorf("DB instance %s lacks its tag: %v", id, db.TagList)
					}
					for _, tag := range db.TagList {
						if strings.HasPrefix(aws.ToString(tag.Key), "gdpr:") {
							return fmt.Errorf("DB instance %s still carries the provider's tag %s after its create", id, aws.ToString(tag.Key))
						}
					}
					return nil
				}),
			},
			{
				Config: dbConfig("", id, body),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config:      dbConfig("", id, body),
				Destroy:     true,
				ExpectError: regexp.MustCompile(`(?s)Database\s+holds\s+data.*Destroying\s+database\s+"` + id + `".*force_destroy\s+is\s+not\s+set`),
			},
			{
				Config: dbConfig("", id, body+"  force_destroy = true\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dbAddr, plancheck.ResourceActionUpdate)},
				},
				Check: checkGuarantees(t, id, "a", nil),
			},
		},
	})
}

// TestAccDatabase_moveCarriesTheDataUnderANewKey replaces a database in one apply, changing its key, its
// class and its minor engine version: the old DB instance must be gone, the new one restored from the copy
// of its final snapshot under the new key with every guarantee, no snapshot left, and the audit trail must
// hold the delete, the move naming both snapshots, and the create, in that order. A destroy afterwards, with
// on_replace still move_data, takes no snapshot.
func TestAccDatabase_moveCarriesTheDataUnderANewKey(t *testing.T) {
	id := randomIdentifier("move")
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	extra := fmt.Sprintf("  audit = {\n    path = %q\n  }\n", trail)
	var firstResourceID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: dbConfig(extra, id, `  on_replace = "move_data"
`),
				Check: resource.ComposeTestCheckFunc(checkGuarantees(t, id, "a", nil),
					func(s *terraform.State) error {
						firstResourceID = s.RootModule().Resources[dbAddr].Primary.Attributes["resource_id"]
						return nil
					}),
			},
			{
				Config: dbConfig(extra, id, `  on_replace = "move_data"
  kms_key_arn    = gdpr_key.b.arn
  instance_class = "db.t4g.large"
  engine_version = "17.5"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dbAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(
					checkGuarantees(t, id, "b", func(db *rdstypes.DBInstance) error {
						if aws.ToString(db.DBInstanceClass) != "db.t4g.large" || aws.ToString(db.EngineVersion) != "17.5" {
							return fmt.Errorf("the new DB instance is %s %s, not db.t4g.large 17.5", aws.ToString(db.DBInstanceClass), aws.ToString(db.EngineVersion))
						}
						if aws.ToString(db.DbiResourceId) == firstResourceID {
							return fmt.Errorf("DB instance %s was not replaced: its resource id is still %s", id, firstResourceID)
						}
						return nil
					}),
					func(s *terraform.State) error {
						final := "gdpr-move-" + id + "-" + strings.ToLower(firstResourceID)
						keyB := keyARN(s, "b")
						copied := final + "-" + strings.ToLower(keyB[strings.LastIndex(keyB, "/")+1:][:8])
						if got := s.RootModule().Resources[dbAddr].Primary.Attributes["restored_from_snapshot"]; got != final {
							return fmt.Errorf("restored_from_snapshot is %q, want %q", got, final)
						}
						if left := snapshotsOf(t, id); len(left) > 0 {
							return fmt.Errorf("the move left snapshots behind: %v", left)
						}
						var order []string
						for _, e := range acctest.AuditEvents(t, trail) {
							if e.ResourceType == "gdpr_database" {
								order = append(order, string(e.Action))
							}
							if e.Action == "move" && (e.CloudID != id || e.Snapshots != final+","+copied) {
								return fmt.Errorf("the move event names %s and snapshots %q, want %s and %q", e.CloudID, e.Snapshots, id, final+","+copied)
							}
						}
						if strings.Join(order, " ") != "create delete move create" {
							return fmt.Errorf("the audit trail's database events are %v, want create, delete, move, create", order)
						}
						return nil
					},
				),
			},
			{
				Config: dbConfig(extra, id, `  on_replace = "move_data"
  kms_key_arn    = gdpr_key.b.arn
  instance_class = "db.t4g.large"
  engine_version = "17.5"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: dbConfig(extra, id, `  on_replace = "move_data"
  kms_key_arn    = gdpr_key.b.arn
  instance_class = "db.t4g.large"
  engine_version = "17.5"
  force_destroy  = true
`),
			},
		},
	})
}

// TestAccDatabase_taintedMovesItsData taints a database with on_replace = "move_data": the replacement that
// follows has no changed argument, and must still carry the data through a final snapshot rather than
// erase the database or stop.
func TestAccDatabase_taintedMovesItsData(t *testing.T) {
	id := randomIdentifier("taint")
	var first string
	config := dbConfig("", id, "  on_replace = \"move_data\"\n")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[dbAddr].Primary.Attributes["resource_id"]
					return nil
				},
			},
			{
				Taint:  []string{dbAddr},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dbAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(checkGuarantees(t, id, "a", nil), func(s *terraform.State) error {
					want := "gdpr-move-" + id + "-" + strings.ToLower(first)
					if got := s.RootModule().Resources[dbAddr].Primary.Attributes["restored_from_snapshot"]; got != want {
						return fmt.Errorf("the tainted database was replaced with restored_from_snapshot %q, want %q", got, want)
					}
					return nil
				}),
			},
			{Config: dbConfig("", id, "  on_replace = \"move_data\"\n  force_destroy = true\n")},
		},
	})
}

// TestAccDatabase_replacementStopsAtPlanWhenItCannotCarryTheData changes what a restore cannot: each plan
// must fail naming the argument, and the database must be untouched. Without move_data, any replacement
// stops; with force_destroy it erases the database, leaving no snapshot.
func TestAccDatabase_replacementStopsAtPlanWhenItCannotCarryTheData(t *testing.T) {
	id := randomIdentifier("refuse")
	var first string
	untouched := func(s *terraform.State) error {
		db := describe(t, id)
		if db == nil || aws.ToString(db.DbiResourceId) != first {
			return fmt.Errorf("DB instance %s was replaced or deleted by a plan that failed", id)
		}
		return nil
	}
	move := "  on_replace = \"move_data\"\n"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: dbConfig("", id, move),
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[dbAddr].Primary.Attributes["resource_id"]
					return nil
				},
			},
			{
				Config:      dbConfig("", id, move+"  engine = \"mysql\"\n  engine_version = \"8.0.40\"\n"),
				ExpectError: regexp.MustCompile(`(?s)Cannot\s+move\s+the\s+data.*postgres\s+database,\s+and\s+RDS\s+restores\s+a\s+snapshot\s+only\s+into\s+its\s+own\s+engine`),
			},
			{
				Config:      dbConfig("", id, move+"  allocated_storage_gib = 20\n"),
				ExpectError: regexp.MustCompile(`(?s)Cannot\s+move\s+the\s+data.*50\s+GiB\s+of\s+storage,\s+and\s+RDS\s+cannot\s+restore\s+it\s+into\s+less\s+\(20\s+GiB\)`),
			},
			{
				Config:      dbConfig("", id, move+"  engine_version = \"18.1\"\n"),
				ExpectError: regexp.MustCompile(`(?s)Cannot\s+move\s+the\s+data.*restores\s+it\s+only\s+within\s+major\s+version\s+17`),
			},
			{
				Config:      dbConfig("", id, "  instance_class = \"db.t4g.large\"\n"),
				ExpectError: regexp.MustCompile(`(?s)Replacement\s+would\s+erase\s+the\s+database.*on_replace\s+=\s+"move_data"`),
				Check:       untouched,
			},
			{
				Config: dbConfig("", id, "  force_destroy = true\n"),
				Check:  untouched,
			},
			{
				// Allowed to erase: the database is replaced empty and no snapshot is taken.
				Config: dbConfig("", id, "  force_destroy = true\n  instance_class = \"db.t4g.large\"\n"),
				Check: resource.ComposeTestCheckFunc(checkGuarantees(t, id, "a", nil), func(s *terraform.State) error {
					if got := s.RootModule().Resources[dbAddr].Primary.Attributes["resource_id"]; got == first {
						return fmt.Errorf("DB instance %s was not replaced", id)
					}
					if left := snapshotsOf(t, id); len(left) > 0 {
						return fmt.Errorf("a replacement that erases took snapshots: %v", left)
					}
					return nil
				}),
			},
		},
	})
}

// TestAccDatabase_changesOutsideTerraformPlanAReplacement makes the database publicly accessible and
// changes its backup retention behind Terraform's back: the refresh must name both and plan a replacement.
func TestAccDatabase_changesOutsideTerraformPlanAReplacement(t *testing.T) {
	id := randomIdentifier("drift")
	config := dbConfig("", id, "  force_destroy = true\n")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					_, err := rdsClient(t).ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{
						DBInstanceIdentifier: aws.String(id), PubliclyAccessible: aws.Bool(true),
						BackupRetentionPeriod: aws.Int32(3), ApplyImmediately: aws.Bool(true)})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(dbAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeTestCheckFunc(checkGuarantees(t, id, "a", nil), func(*terraform.State) error {
					if db := describe(t, id); aws.ToInt32(db.BackupRetentionPeriod) != 7 {
						return fmt.Errorf("the replacement kept the backup retention changed outside Terraform: %d days", aws.ToInt32(db.BackupRetentionPeriod))
					}
					return nil
				}),
			},
		},
	})
}

// TestAccDatabase_createBeforeDestroyIsRefused: a database keeps its identifier, so a replacement with
// create_before_destroy cannot create the new one first; the create fails saying so, and the old database
// is untouched.
func TestAccDatabase_createBeforeDestroyIsRefused(t *testing.T) {
	id := randomIdentifier("cbd")
	lifecycle := "  on_replace = \"move_data\"\n  force_destroy = true\n  lifecycle {\n    create_before_destroy = true\n  }\n"
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: dbConfig("", id, lifecycle),
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[dbAddr].Primary.Attributes["resource_id"]
					return nil
				},
			},
			{
				Config:      dbConfig("", id, lifecycle+"  instance_class = \"db.t4g.large\"\n"),
				ExpectError: regexp.MustCompile(`(?s)Identifier\s+in\s+use.*remove\s+create_before_destroy`),
			},
			{
				Config: dbConfig("", id, lifecycle),
				Check: func(*terraform.State) error {
					if db := describe(t, id); db == nil || aws.ToString(db.DbiResourceId) != first {
						return fmt.Errorf("the refused create_before_destroy replaced or deleted DB instance %s", id)
					}
					return nil
				},
			},
		},
	})
}

// TestAccDatabase_backupRetentionWithinThePolicy: backups kept longer than the provider's max_retention_days
// fail at plan, in the policy's words.
func TestAccDatabase_backupRetentionWithinThePolicy(t *testing.T) {
	id := randomIdentifier("retention")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      dbConfig("  max_retention_days = 5\n", id, ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Retention\s+too\s+long.*backup_retention_days\s+=\s+7.*A\s+retention\s+of\s+7\s+days\s+exceeds\s+the\s+policy's\s+maximum\s+of\s+5\s+days.*Set\s+backup_retention_days\s+to\s+1\s+to\s+5\s+days`),
			},
		},
	})
}

func hasTag(tags []rdstypes.Tag, key, value string) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == key && aws.ToString(t.Value) == value {
			return true
		}
	}
	return false
}

// TestAccDatabase_missingSubnetGroupIsNamed: a DB subnet group RDS does not have fails the create on the
// argument that names it, and nothing is created.
func TestAccDatabase_missingSubnetGroupIsNamed(t *testing.T) {
	id := randomIdentifier("subnets")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      dbConfig("", id, "  db_subnet_group_name = \"no-such-group\"\n"),
				ExpectError: regexp.MustCompile(`(?s)DB\s+subnet\s+group\s+not\s+found.*db_subnet_group_name.*Database\s+"` + id + `"\s+names\s+a\s+DB\s+subnet\s+group\s+that\s+RDS\s+does\s+not\s+have`),
				Check:       checkGone(t, id),
			},
		},
		CheckDestroy: checkGone(t, id),
	})
}

// TestAccDatabase_moveAcrossRegionsStopsAtPlan: a change of the provider's region replaces the database, and
// a move would leave its data in a snapshot in the old region, so the plan stops, with the database untouched.
func TestAccDatabase_moveAcrossRegionsStopsAtPlan(t *testing.T) {
	id := randomIdentifier("region")
	config := dbConfig("", id, "  on_replace = \"move_data\"\n  force_destroy = true\n")
	var first string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGone(t, id),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					first = s.RootModule().Resources[dbAddr].Primary.Attributes["resource_id"]
					return nil
				},
			},
			{
				Config:      strings.Replace(config, fmt.Sprintf("region     = %q", acctest.Region), `region     = "eu-west-1"`, 1),
				ExpectError: regexp.MustCompile(`(?s)Cannot\s+move\s+the\s+data\s+to\s+another\s+region.*in\s+eu-central-1\s+by\s+one\s+in\s+eu-west-1`),
			},
			{
				Config: config,
				Check: func(*terraform.State) error {
					if db := describe(t, id); db == nil || aws.ToString(db.DbiResourceId) != first {
						return fmt.Errorf("the refused move across regions replaced or deleted DB instance %s", id)
					}
					return nil
				},
			},
		},
	})
}
