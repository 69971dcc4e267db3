package replaceonly

import (
	"context"
	"encoding/json"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/diagnostics"
)

// Drift of an optional computed attribute that the configuration leaves unset cannot show up as a
// difference from the configuration, nor can drift of a setting the provider enforces without an
// attribute (a bucket's versioning, say). Read records either in private state with RecordDrift and the plan
// turns it into a replacement with ReplaceDrifted. The record survives refreshes and is cleared only when a
// new resource is created.
const driftKey = "drift"

func readDrift(ctx context.Context, get func(context.Context, string) ([]byte, diag.Diagnostics)) []string {
	raw, diags := get(ctx, driftKey)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var names []string
	if json.Unmarshal(raw, &names) != nil {
		return nil
	}
	return names
}

// UnfinishedCreate is the drift recorded for a resource that one of the provider's own creates left
// half-made (see awsapi.CreatingTag): what it lacks is not someone's change, but it is replaced all the same.
const UnfinishedCreate = "unfinished create"

// RecordDrift merges newly drifted attributes, or names of enforced settings, into the private state of a
// Read response. Read pairs it with DriftWarning, which tells the user.
func RecordDrift(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, drifted []string) {
	names := readDrift(ctx, req.Private.GetKey)
	for _, n := range drifted {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	raw, err := json.Marshal(names)
	if err != nil {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, driftKey, raw)...)
}

// ReplaceDrifted plans the replacement of a resource whose last refresh recorded drift.
func ReplaceDrifted(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Private == nil || req.State.Raw.IsNull() {
		return
	}
	attrs := req.Plan.Schema.GetAttributes()
	for _, name := range readDrift(ctx, req.Private.GetKey) {
		a, ok := attrs[name]
		if !ok {
			// An enforced setting with no attribute of its own: the resource as a whole must be rebuilt,
			// which the plan shows as a new id.
			name, a = "id", attrs["id"]
		}
		if a == nil || !a.IsComputed() {
			// A drifted attribute that is not computed differs from its configured value by itself.
			continue
		}
		configured, _, err := tftypes.WalkAttributePath(req.Config.Raw, tftypes.NewAttributePath().WithAttributeName(name))
		if v, ok := configured.(tftypes.Value); err != nil || !ok || !v.IsNull() {
			// A configured value already differs from the drifted one in state, or matches the cloud again.
			continue
		}
		unknown, err := a.GetType().ValueFromTerraform(ctx,
			tftypes.NewValue(a.GetType().TerraformType(ctx), tftypes.UnknownValue))
		if err != nil {
			resp.Diagnostics.AddError("Cannot plan the replacement of a drifted attribute", err.Error())
			return
		}
		p := path.Root(name)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, p, unknown)...)
		resp.RequiresReplace = append(resp.RequiresReplace, p)
	}
}

// A resource adopted by an import was not made by Terraform, so what it breaks when first read is not a
// change behind Terraform's back but how it was found. ImportState marks the import in private state
// (MarkImported); the first Read records there what the resource broke then, and every later Read reports
// those as adopted and anything else as drift (SplitAdopted). The record goes with the resource: its
// replacement is created with a private state of its own.
const adoptedKey = "adopted"

type adoptedRecord struct {
	// Pending is set by the import, until the first Read records Broken.
	Pending bool     `json:"pending,omitempty"`
	Broken  []string `json:"broken,omitempty"`
}

// MarkImported records in the private state of an import that the resource was adopted.
func MarkImported(ctx context.Context, resp *resource.ImportStateResponse) diag.Diagnostics {
	if resp.Private == nil {
		return nil
	}
	raw, _ := json.Marshal(adoptedRecord{Pending: true})
	return resp.Private.SetKey(ctx, adoptedKey, raw)
}

// SplitAdopted divides the attributes or enforced settings a Read found drifted into those the resource
// already broke when it was imported (adopted) and those changed since (changed). Every Read calls it, a
// Read that finds nothing drifted included, since the first Read after an import records what it found.
func SplitAdopted(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, drifted []string) (adopted, changed []string) {
	raw, diags := req.Private.GetKey(ctx, adoptedKey)
	var rec adoptedRecord
	if diags.HasError() || len(raw) == 0 || json.Unmarshal(raw, &rec) != nil {
		return nil, drifted
	}
	if rec.Pending {
		rec = adoptedRecord{Broken: slices.Clone(drifted)}
		if raw, err := json.Marshal(rec); err == nil {
			resp.Diagnostics.Append(resp.Private.SetKey(ctx, adoptedKey, raw)...)
		}
	}
	for _, d := range drifted {
		if slices.Contains(rec.Broken, d) {
			adopted = append(adopted, d)
		} else {
			changed = append(changed, d)
		}
	}
	return adopted, changed
}

// Found is what a Read found of a resource besides its arguments' values.
type Found struct {
	// Changed names the arguments that differ from the state.
	Changed []string
	// Problems are the guarantees the resource breaks.
	Problems []awsapi.Problem
	// Unfinished says the resource carries the marker of a create an interrupted apply began.
	Unfinished bool
	// Imported says this is the first Read after an import: it has nothing to compare with, so what it
	// finds is how the resource was adopted, whether or not the import marked it.
	Imported bool
}

// ReportFound ends a Read: it records in the private state everything found drifted, for ReplaceDrifted to
// plan the replacement, and warns by what it is: a create an interrupted apply left half-made; guarantees
// the resource broke when it was imported (imported words that warning); or a change made outside
// Terraform since.
func ReportFound(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, typeName, id string, f Found,
	imported func(id string, reasons []string) diag.Diagnostic) {
	drifted := append(slices.Clone(f.Changed), awsapi.ProblemNames(f.Problems)...)
	if f.Unfinished {
		drifted = append(drifted, UnfinishedCreate)
	}
	adopted, since := SplitAdopted(ctx, req, resp, drifted)
	if f.Imported {
		adopted, since = drifted, nil
	}
	var broken []awsapi.Problem
	for _, p := range f.Problems {
		if slices.Contains(adopted, p.Name) {
			broken = append(broken, p)
		}
	}
	fields := map[string]any{"resource_type": typeName, "id": id}
	switch {
	case f.Unfinished:
		fields["missing"] = awsapi.ProblemNames(f.Problems)
		tflog.Warn(ctx, "resource left half-made by an interrupted apply", fields)
		resp.Diagnostics.Append(diagnostics.Unfinished(typeName, id, awsapi.ProblemReasons(f.Problems)))
	default:
		if len(broken) > 0 {
			tflog.Warn(ctx, "imported resource breaks the guarantees", map[string]any{"resource_type": typeName, "id": id, "problems": awsapi.ProblemNames(broken)})
			resp.Diagnostics.Append(imported(id, awsapi.ProblemReasons(broken)))
		}
		if len(since) > 0 {
			tflog.Warn(ctx, "resource changed outside Terraform", map[string]any{"resource_type": typeName, "id": id, "changed": since})
			resp.Diagnostics.Append(DriftWarning(typeName, id, since))
		}
	}
	if len(drifted) > 0 {
		RecordDrift(ctx, req, resp, drifted)
	}
}
