package providerdata

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// NotConfiguredDiag reports a resource or data source used without the Data of a configured provider.
func NotConfiguredDiag(typeName string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider not configured",
		typeName+" needs a configured gdpr provider with AWS clients. This is a bug in the provider if the "+
			"provider block is complete; please report it.")
}

// auditDiag reports a sink that did not take the event, saying where the event is, and only where it really
// is. An event that no sink took is an error carrying the whole event line, so it can be recovered; one that
// the other sink took is a warning, and one queued in the outbox (queued names it) says it will be
// delivered later.
func auditDiag(e audit.Event, err error, inFile, delivered bool, queued string) diag.Diagnostic {
	line := "\n\n" + e.Line() + "\n\n"
	switch {
	case inFile && queued != "":
		return diag.NewWarningDiagnostic("Audit event queued for the webhook",
			fmt.Sprintf("The %s of %s %q succeeded and its audit event is in the audit file (hash %s), but the "+
				"audit webhook did not accept it, so it is queued in the outbox %s. It will be delivered, after "+
				"any older events queued there, when this audit file records its next event (on a later run), or "+
				"by terraform-provider-gdpr audit deliver. Check webhook_url, webhook_secret and the receiver.\n\n"+
				"Cause: %s", e.Action, e.ResourceType, e.CloudID, e.Hash, queued, err))
	case inFile:
		return diag.NewWarningDiagnostic("Audit event not fully recorded",
			fmt.Sprintf("The %s of %s %q succeeded, but its audit event could not be recorded everywhere. The "+
				"change in the cloud stands. Check the audit settings of the provider block and the receiving "+
				"end. The event is in the audit file (hash %s).\n\nCause: %s",
				e.Action, e.ResourceType, e.CloudID, e.Hash, err))
	case delivered:
		return diag.NewWarningDiagnostic("Audit event not fully recorded",
			fmt.Sprintf("The %s of %s %q succeeded, and the audit webhook received its event, but the audit "+
				"file could not take it, so here is the whole event, to recover it:%sCause: %s",
				e.Action, e.ResourceType, e.CloudID, line, err))
	}
	return diag.NewErrorDiagnostic("Audit event not recorded",
		fmt.Sprintf("The %s of %s %q succeeded in the cloud, but no audit sink took its event, so the change "+
			"is not accounted for (GDPR Art. 5(2), accountability). Repair the sink named below, then add this "+
			"event to the trail by hand:%sCause: %s", e.Action, e.ResourceType, e.CloudID, line, err))
}

// auditHashWarning reports arguments that could not be hashed; the event is recorded without the hash.
func auditHashWarning(e audit.Event, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Audit event recorded without its arguments hash",
		fmt.Sprintf("The %s of %s %q succeeded, but the hash of its arguments could not be computed, so its "+
			"audit event is recorded without it. This is a bug in the provider; please report it.\n\nCause: %s",
			e.Action, e.ResourceType, e.CloudID, err))
}

// auditUnwritableDiag fails a plan whose events the audit file could not take.
func auditUnwritableDiag(typeName string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Audit trail cannot take events",
		fmt.Sprintf("This plan creates or destroys %s, and every such change is recorded in the audit trail "+
			"(GDPR Art. 5(2), accountability), but the audit file, or the outbox next to it that queues events "+
			"for the webhook, cannot take the event, so the plan stops before anything changes. Create the "+
			"directory, point audit.path at a file, or, for a last line cut short, run terraform-provider-gdpr "+
			"audit verify on the file, move it aside and start a new one.\n\nCause: %s", typeName, err))
}

// auditUnwritableActionDiag stops an invocation whose event the audit file could not take; does and
// nothing are CheckAuditActionThat's.
func auditUnwritableActionDiag(typeName, does, nothing string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Audit trail cannot take events",
		fmt.Sprintf("The %s action %s is recorded in the audit trail (GDPR Art. "+
			"5(2), accountability), but the audit file, or the outbox next to it that queues events for the "+
			"webhook, cannot take the event, so %s. Create the directory, point audit.path at a "+
			"file, or, for a last line cut short, run terraform-provider-gdpr audit verify on the file, move it "+
			"aside and start a new one.\n\nCause: %s", typeName, does, nothing, err))
}

// auditSignerDiag stops a plan or an erasure whose event the audit file would take signed otherwise than its
// last event; what says what is being stopped ("This plan creates ..., and every such change").
func auditSignerDiag(what string, err *audit.SignerError) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Audit signing key does not match the audit file",
		fmt.Sprintf("%s is recorded in the audit trail (GDPR Art. 5(2), accountability), but the audit file %s "+
			"was signed otherwise than the provider would sign the next event. A file is signed by one key from "+
			"its first event to its last, or by none, so that terraform-provider-gdpr audit verify --public-key "+
			"can check it whole; nothing was changed and nothing was written. To start a new file, set audit.path "+
			"in the provider block to the path of a new file and keep the old one with the public key that "+
			"verifies it; if the key changed by mistake, configure the key that signed the file again "+
			"(audit.signing_key_file, or GDPR_AUDIT_SIGNING_KEY_FILE).\n\nCause: %s", what, err.Path, err))
}

// AuditSigningKeyDiag reports a signing key that cannot be used; from names where its path came from.
func AuditSigningKeyDiag(from string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("audit").AtName("signing_key_file"), "Invalid audit signing key",
		fmt.Sprintf("The audit signing key, whose path %s gives, cannot be used, so no event could be signed. "+
			"Give the path of an ed25519 private key in PKCS#8 PEM, as openssl genpkey -algorithm ed25519 or "+
			"terraform-provider-gdpr audit keygen writes it, readable by Terraform.\n\nCause: %s", from, err))
}
