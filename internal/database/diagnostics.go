package database

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// Every diagnostic that only gdpr_database reports is worded here: a short summary, then what happened,
// what to do, and the cause last. The ones all resources share are in the diagnostics and replaceonly
// packages.

func retentionDiag(p policy.RetentionProblem) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("backup_retention_days"), "Retention too long",
		fmt.Sprintf("%s Set backup_retention_days to 1 to %d days, or raise max_retention_days in the provider "+
			"block if the longer retention of the backups is justified.", p.Reason, p.Limit))
}

func destroyRefusedDiag(id, onReplace string, when stage) diag.Diagnostic {
	what := "The plan stops here"
	if when == atApply {
		what = "Nothing was deleted"
	}
	move := ""
	if onReplace != OnReplaceMoveData {
		move = " To change the database instead of removing it, set on_replace = \"move_data\": a replacement then carries the data."
	}
	return diag.NewErrorDiagnostic("Database holds data",
		fmt.Sprintf("Destroying database %q would erase its data and its automated backups, and force_destroy is "+
			"not set in the state. %s. To erase it, set force_destroy = true, apply, then destroy.%s",
			id, what, move))
}

func replacementErasesDiag(id string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Replacement would erase the database",
		fmt.Sprintf("This plan replaces database %q, which would erase its data and its automated backups: "+
			"on_replace is \"refuse\" and force_destroy is not set. Set on_replace = \"move_data\" to carry the "+
			"data into the new database (a final snapshot, copied under the new key when it changes, then "+
			"restored), or set force_destroy = true and apply first if the data may go.", id))
}

func erasureWarning(id string, backupDays int64) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Database will be erased",
		fmt.Sprintf("Database %q will be deleted with all its data (GDPR Art. 17, erasure), together with its "+
			"automated backups (up to %d days of point-in-time recovery) and the secret holding its master "+
			"password. No final snapshot is taken.", id, backupDays))
}

func cannotMoveDiag(id string, p restoreProblem) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root(p.Attribute), "Cannot move the data",
		fmt.Sprintf("This plan replaces database %q and carries its data over (on_replace = \"move_data\"), but "+
			"%s. The plan stops here; nothing was changed.", id, p.Why))
}

func moveAcrossRegionsDiag(id, from, to string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot move the data to another region",
		fmt.Sprintf("This plan replaces database %q in %s by one in %s (the provider's region changed) and would "+
			"carry its data over (on_replace = \"move_data\"), but a move restores the final snapshot in the "+
			"region it was taken in, and does not copy it across regions. The plan stops here; nothing was "+
			"changed. Keep the provider's region for this database (a provider alias), or copy a snapshot to "+
			"the new region yourself and import the database restored from it.", id, from, to))
}

func cannotRestoreDiag(id, snapshot string, problems []restoreProblem) diag.Diagnostic {
	var why []string
	for _, p := range problems {
		why = append(why, p.Why+" ("+p.Attribute+")")
	}
	return diag.NewErrorDiagnostic("Cannot restore the database",
		fmt.Sprintf("Database %q would be restored from snapshot %q, which carries the data of the database it "+
			"replaces, but %s. Nothing was restored and the snapshot is kept: change the arguments back to what "+
			"the snapshot allows and apply again.", id, snapshot, strings.Join(why, "; and ")))
}

func moveWarning(id string, storageGiB int64, rekey, upgrade bool) diag.Diagnostic {
	steps := "RDS takes a final snapshot of it once it accepts no more writes, deletes it, "
	if rekey {
		steps += "copies the snapshot under the new KMS key (RDS cannot change the key of a database or of a " +
			"restore), "
	}
	steps += "restores the new database from the snapshot with the new arguments"
	if upgrade {
		steps += ", upgrades its engine to the new version"
	}
	return diag.NewWarningDiagnostic("Database data will be moved",
		fmt.Sprintf("Database %q (%d GiB) is replaced in this apply and keeps its data and its identifier: %s, "+
			"checks its guarantees, and only then deletes the snapshots. The database is unavailable from the "+
			"final snapshot until the restore completes, which takes minutes and grows with the data; clients "+
			"reconnect to the same endpoint. If the apply is interrupted, the data stays in the snapshot and the "+
			"next apply resumes from it.", id, storageGiB, steps))
}

func willRestoreWarning(id string, final awsapi.Snapshot, all []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Database will be restored from its move snapshot",
		fmt.Sprintf("Database %q will be restored from snapshot %q (%s %s, taken %s), which a replacement took "+
			"of the database it replaces, copied first under kms_key_arn when it is under another key. The "+
			"snapshots %s are deleted once the new database keeps every guarantee.", id, final.Identifier,
			final.Engine, final.EngineVersion, final.Created.UTC().Format(time.RFC3339), strings.Join(all, ", ")))
}

func unclaimedWarning(id, region string, snaps []string) diag.Diagnostic {
	var cmds []string
	for _, s := range snaps {
		cmds = append(cmds, fmt.Sprintf("  aws rds delete-db-snapshot --region %s --db-snapshot-identifier %s", region, s))
	}
	return diag.NewWarningDiagnostic("Move snapshots nobody claimed",
		fmt.Sprintf("The move snapshots %s hold the data of an earlier generation of database %q, and no create "+
			"restored from them (the database was created again some other way). They are personal data kept "+
			"outside any database. To keep the data, restore one beside the database:\n  aws rds "+
			"restore-db-instance-from-db-snapshot --region %s --db-instance-identifier %s-restored "+
			"--db-snapshot-identifier %s\nTo erase them:\n%s", strings.Join(snaps, ", "), id, region, id,
			snaps[len(snaps)-1], strings.Join(cmds, "\n")))
}

func subnetGroupNotFoundDiag(id string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("db_subnet_group_name"), "DB subnet group not found",
		fmt.Sprintf("Database %q names a DB subnet group that RDS does not have in the provider's region, so "+
			"nothing was created. Create the subnet group first (for example with aws_db_subnet_group, and "+
			"reference its name so Terraform orders the two), or leave db_subnet_group_name unset for the "+
			"default VPC.\n\nCause: %s", id, err))
}

// halfMadeWarning is said at the plan of a create that finds a database with the identifier still carrying
// the creation tag: the plan cannot tell the two cases apart, so it names both.
func halfMadeWarning(id string, moveData bool) diag.Diagnostic {
	tainted := "replaces it (erasing it only with force_destroy)"
	if moveData {
		tainted = "replaces it through a move: its own final snapshot, then a restore"
	}
	return diag.NewWarningDiagnostic("Database left half-made",
		fmt.Sprintf("Database %q carries the %q tag of a create that did not finish. If it is this resource's "+
			"own database, saved as tainted by a create that failed, this apply %s. If an interrupted apply left "+
			"it and the state does not know it, this create finishes it instead of making another one.",
			id, awsapi.CreatingTag, tainted))
}

func identifierInUseDiag(id string, unfinished bool) diag.Diagnostic {
	other := "Another DB instance already has this identifier."
	if unfinished {
		other = "A DB instance with this identifier was left half-made by another create with other arguments."
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("identifier"), "Identifier in use",
		fmt.Sprintf("Cannot create database %q: %s Nothing was created or changed. A database keeps its "+
			"identifier when it is replaced, so a replacement must delete the old one first: remove "+
			"create_before_destroy from the resource's lifecycle block if it is set. Otherwise choose another "+
			"identifier, or import the existing database.", id, other))
}

func notAvailableDiag(id, from string, err error) diag.Diagnostic {
	what := "was created"
	if from != "" {
		what = fmt.Sprintf("was restored from snapshot %q (which is kept, with the data)", from)
	}
	return diag.NewErrorDiagnostic("Database not available",
		fmt.Sprintf("Database %q %s but was not confirmed available within %s. It is saved in the state as "+
			"tainted, so the next apply replaces it. Look at the instance's events in RDS before applying "+
			"again.\n\nCause: %s", id, what, timeout, err))
}

func guaranteesDiag(id, from string, problems []string) diag.Diagnostic {
	kept := ""
	if from != "" {
		kept = fmt.Sprintf(" The move snapshots are kept, so the data is still in %q.", from)
	}
	return diag.NewErrorDiagnostic("Database made without its guarantees",
		fmt.Sprintf("Database %q was made, but %s, although the provider asked for the opposite. It is saved "+
			"in the state as tainted, so the next apply replaces it.%s If this repeats, the RDS API or an "+
			"account-level setting is overriding the request; please report it.",
			id, strings.Join(problems, "; and "), kept))
}

func snapshotNotReadyDiag(id, snapshot string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot prepare the move snapshot",
		fmt.Sprintf("Database %q is to be restored from snapshot %q, but the snapshot could not be made ready "+
			"under kms_key_arn (waited for, or copied under the new key). Nothing was restored and the snapshot "+
			"is kept with the data; apply again to resume. If the key is new, check that RDS may use it (the "+
			"key policy).\n\nCause: %s", id, snapshot, err))
}

func restoreFailedDiag(id, snapshot string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot restore the database",
		fmt.Sprintf("The restore of database %q from snapshot %q failed. The snapshot is kept with the data; "+
			"apply again to resume.\n\nCause: %s", id, snapshot, err))
}

func snapshotNotDeletedDiag(id, snapshot string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot delete a move snapshot",
		fmt.Sprintf("Database %q holds the data restored from its move snapshots and keeps every guarantee, "+
			"but snapshot %q could not be deleted, so a copy of the data outlives the move. The database is "+
			"saved as tainted; the next apply finishes the move and deletes the snapshots.\n\nCause: %s",
			id, snapshot, err))
}

func notDeletedDiag(id, final string, err error) diag.Diagnostic {
	if final != "" {
		return diag.NewErrorDiagnostic("Cannot delete the database for its move",
			fmt.Sprintf("Database %q was to be deleted with a final snapshot %q that carries its data into the "+
				"database replacing it, and that did not complete. The database stays in the state; apply again to "+
				"resume.\n\nCause: %s", id, final, err))
	}
	return diag.NewErrorDiagnostic("Cannot delete database",
		fmt.Sprintf("Database %q was not confirmed deleted, so it may still hold personal data. It stays in the "+
			"state; run terraform destroy or apply again.\n\nCause: %s", id, err))
}

func importedWarning(id string, problems []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Imported database breaks the provider's guarantees",
		fmt.Sprintf("Database %q was imported, but %s. It was made outside Terraform that way, and nothing has "+
			"changed since it was adopted. The next apply replaces it with a database that keeps the guarantees "+
			"of gdpr_database: set on_replace = \"move_data\" to carry its data over, as a plan without it "+
			"stops.", id, strings.Join(problems, "; and ")))
}

// unreadableDiag reports what AWS answered that the provider could not turn into the resource's model.
func unreadableDiag(summary string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, "The provider could not read what AWS reported. This is a bug in the "+
		"provider; please report it.\n\nCause: "+err.Error())
}
