package isolate

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// maxIncidentID is how long an incident id may be; it becomes the value of a tag on the server and its
// snapshots.
const maxIncidentID = 128

var instanceIDPattern = regexp.MustCompile(`^i-[0-9a-f]{8}([0-9a-f]{9})?$`)

// model is the action's configuration.
type model struct {
	ServerID    types.String `tfsdk:"server_id"`
	IncidentID  types.String `tfsdk:"incident_id"`
	KMSKeyARN   types.String `tfsdk:"kms_key_arn"`
	Stop        types.Bool   `tfsdk:"stop"`
	ManagedOnly types.Bool   `tfsdk:"managed_only"`
}

// managedOnly is managed_only with its default, true.
func (m model) managedOnly() bool { return m.ManagedOnly.IsNull() || m.ManagedOnly.ValueBool() }

func (a *isolateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Contains a compromised server and keeps the evidence (GDPR Art. 32 and 33): moves every " +
			"network interface of the instance into the VPC's isolation security group `" + awsapi.IsolationGroupName +
			"`, which allows no traffic in or out, then snapshots every EBS volume for forensics, encrypted under the " +
			"given KMS key and shared with no one, tags the instance with the incident, and optionally stops it. " +
			"Invoking it again finishes an interrupted isolation and makes nothing twice. Each invocation is recorded " +
			"in the provider's audit trail. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"server_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The id of the instance to isolate, usually `gdpr_server.<name>.id`, in the " +
					"provider's region.",
				Validators: []validator.String{stringvalidator.RegexMatches(instanceIDPattern,
					"must be an EC2 instance id: i- followed by 8 or 17 lower-case hexadecimal digits, such as i-0123456789abcdef0")},
			},
			"incident_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The incident the isolation serves, such as a ticket number: the value of the `" +
					awsapi.IncidentTag + "` tag on the instance and on its snapshots, and of the audit event's " +
					"`incident_id`. 1 to 128 letters, numbers, spaces or `_ . : / = + - @`. Invoking the action " +
					"again with the same id finds the snapshots it already made.",
				Validators: []validator.String{validate.TagValue(maxIncidentID)},
			},
			"kms_key_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The ARN of the KMS key, in the provider's region, that encrypts the forensic " +
					"snapshots, usually `gdpr_key.<name>.arn` of a key kept for the investigation. A volume under " +
					"another key is snapshotted under its own and re-encrypted under this one through a temporary volume.",
				Validators: []validator.String{validate.KMSKeyARN()},
			},
			"stop": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether the instance is stopped once its snapshots are complete (its memory " +
					"is lost). Defaults to `false`: the isolated instance keeps running, cut off from the network.",
			},
			"managed_only": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether only an instance that `gdpr_server` launched (it carries the `" +
					awsapi.ManagedTag + "` tag) may be isolated, so a mistyped id cannot cut off someone else's " +
					"server. Set it to `false` to isolate any instance of the region. Defaults to `true`.",
			},
		},
	}
}
