package provider

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// The diagnostics of the provider block. Each resource, data source and function words its own in its
// package; the replace-only steps word theirs in replaceonly, and the rules theirs in policy.

func credentialsPairDiag() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("secret_key"), "Incomplete AWS credentials",
		"access_key and secret_key must be set together. Set both, or neither to use the SDK's default "+
			"credential chain (environment, shared files, web identity, instance metadata).")
}

func awsSetupDiag(err error) diag.Diagnostic {
	if d := tokenFileDiag(err); d != nil {
		return d
	}
	if d := assumeRoleDiag(err); d != nil {
		return d
	}
	if errors.Is(err, awsapi.ErrNoRegion) {
		return diag.NewAttributeErrorDiagnostic(path.Root("region"), "No AWS region configured",
			"The provider needs a region to know where personal data would be held. Set region in the "+
				"provider block, or AWS_REGION or AWS_DEFAULT_REGION in the environment, or region in the "+
				"shared configuration profile.")
	}
	return diag.NewErrorDiagnostic("Cannot load the AWS configuration",
		"The provider could not read the AWS configuration from the provider block, the environment and "+
			"the shared files. Check the profile name and the files it points to.\n\nCause: "+err.Error())
}

// tokenFileDiag names the web identity token file that could not be read and why, or is nil for any other
// error. STS was never asked, so the role and its trust policy are not in question.
func tokenFileDiag(err error) diag.Diagnostic {
	var tf *awsapi.TokenFileError
	if !errors.As(err, &tf) {
		return nil
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("assume_role_with_web_identity").AtName("web_identity_token_file"),
		"Cannot read the web identity token file",
		fmt.Sprintf("The provider could not read the web identity token file %s, so it did not ask STS to assume "+
			"the role %s. Check the path, that whatever writes the token (a CI system's OpenID Connect step) "+
			"has written it before Terraform runs, and that Terraform can read it.\n\nCause: %v",
			tf.Path, tf.RoleARN, tf.Err))
}

// assumeRoleDiag names the role STS refused and why, or is nil for any other error. It is a provider-level
// error: the role may come from the environment (HCP Terraform's variables) rather than an argument.
func assumeRoleDiag(err error) diag.Diagnostic {
	var ar *awsapi.AssumeRoleError
	if !errors.As(err, &ar) {
		return nil
	}
	return diag.NewErrorDiagnostic("Cannot assume role "+ar.RoleARN+": "+ar.Code(),
		fmt.Sprintf("The provider asked STS to assume the role %s, which %s names, before making any other "+
			"call, and STS refused. Check that the role exists, that its trust policy lets the caller assume it "+
			"(the base credentials for assume_role; the token's issuer, audience and subject for a web identity "+
			"role, which is what HCP Terraform uses), that the session duration is within the role's maximum, "+
			"and, against an emulator, endpoints.sts.\n\nCause: %v", ar.RoleARN, ar.Source, ar.Err))
}

func credentialsDiag(err error) diag.Diagnostic {
	// A request that never reached STS says nothing about the credentials: name the endpoint and the
	// network's reason first, so the user looks at the endpoint and not at the keys.
	if endpoint, reason, ok := awsapi.Unreachable(err); ok {
		return diag.NewErrorDiagnostic("Cannot reach AWS STS at "+endpoint+": "+reason,
			fmt.Sprintf("The provider could not connect to %s (%s) to check the credentials with "+
				"sts:GetCallerIdentity. Check endpoints.sts, AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL, and "+
				"that the service (or the emulator) is running and listening there; a refused connection is "+
				"not retried. To configure the provider without calling STS, set "+
				"skip_credentials_validation = true.\n\nCause: %s", endpoint, reason, err))
	}
	return diag.NewErrorDiagnostic("Cannot validate AWS credentials",
		"The provider called sts:GetCallerIdentity to check the credentials before using them, and the call "+
			"failed. Check access_key and secret_key, the profile, or the AWS_* environment variables; against "+
			"an emulator, set endpoints.sts. A configuration that uses only the provider's data sources and "+
			"functions makes no AWS call and needs no credentials: set skip_credentials_validation = true."+
			"\n\nCause: "+err.Error())
}

// datasetAgeWarning tells users to upgrade once the embedded jurisdiction data is over a year old, since
// adequacy decisions are adopted, renewed and annulled; nil while the data is fresh.
func datasetAgeWarning(asOf, now time.Time) diag.Diagnostic {
	if now.Sub(asOf) <= maxDatasetAge {
		return nil
	}
	return diag.NewWarningDiagnostic("Jurisdiction data is over a year old",
		fmt.Sprintf("The provider's jurisdiction data was checked on %s, %d days ago. Adequacy decisions are "+
			"adopted, renewed and annulled over time (GDPR Arts. 44-45), so residency checks may be out of date: "+
			"upgrade the provider.", asOf.Format(time.DateOnly), int(now.Sub(asOf).Hours()/24)))
}
