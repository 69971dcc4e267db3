package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

type auditModel struct {
	Path          types.String `tfsdk:"path"`
	WebhookURL    types.String `tfsdk:"webhook_url"`
	WebhookSecret types.String `tfsdk:"webhook_secret"`
}

func auditSchema() schema.Attribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "An audit trail of every successful create and delete of a `gdpr_key`, `gdpr_bucket` " +
			"or `gdpr_server` (a replacement is both): hash-chained JSON lines in a file, a signed POST to a " +
			"webhook, or both. See the Audit trail guide.",
		Attributes: map[string]schema.Attribute{
			"path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The file the events are appended to, one JSON object a line, created when " +
					"missing. A relative path is relative to the directory Terraform runs in.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"webhook_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "An http(s) URL each event is POSTed to as JSON, with the event's hash in " +
					"`Idempotency-Key`; retried with backoff, honouring `Retry-After` up to 10 seconds, 3 times.",
				Validators: []validator.String{httpURL()},
			},
			"webhook_secret": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The key of the `X-GDPR-Signature: sha256=<hex>` header, an HMAC-SHA256 of " +
					"the body. Set it together with `webhook_url`; prefer a variable from the environment.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("webhook_url")),
				},
			},
		},
	}
}

// newAuditTrail returns the trail the provider block configures, or nil without one.
func newAuditTrail(m *auditModel) *audit.Trail {
	if m == nil || (m.Path.ValueString() == "" && m.WebhookURL.ValueString() == "") {
		return nil
	}
	return audit.NewTrail(m.Path.ValueString(), m.WebhookURL.ValueString(), m.WebhookSecret.ValueString(), audit.DefaultRetry)
}

// callerIdentity is who the provider acts as, asked of STS at most once per provider process: Configure
// records the answer it gets while validating the credentials; otherwise the first audit event asks.
type callerIdentity struct {
	once sync.Once
	id   awsapi.Identity
}

func (c *callerIdentity) set(id awsapi.Identity) {
	c.once.Do(func() { c.id = id })
}

func (c *callerIdentity) get(ctx context.Context, clients *awsapi.Clients) awsapi.Identity {
	c.once.Do(func() {
		if clients == nil {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		id, err := clients.CallerIdentity(ctx)
		if err != nil {
			// The trail records what it knows; credentials that cannot say who they are still did the work.
			tflog.Warn(ctx, "audit: caller identity unavailable", map[string]any{"error": err.Error()})
			return
		}
		c.id = id
	})
	return c.id
}

// audit records a successful create or delete of the resource whose state is st; resources defer it at the
// top of Create and Delete, so it sees the final diagnostics. A failed sink is a warning, never an error:
// the cloud has already changed.
func (b *immutable) audit(ctx context.Context, action audit.Action, st *tfsdk.State, diags *diag.Diagnostics) {
	if diags.HasError() || b.data == nil || b.data.audit == nil || st.Raw.IsNull() {
		return
	}
	e := audit.Event{Time: time.Now(), Action: action, ResourceType: b.typeName}
	for name, into := range map[string]*string{"id": &e.CloudID, attrRegion: &e.Region, attrJurisdiction: &e.Jurisdiction} {
		var v types.String
		if !st.GetAttribute(ctx, path.Root(name), &v).HasError() {
			*into = v.ValueString()
		}
	}
	id := b.data.caller.get(ctx, b.data.clients)
	e.CallerAccount, e.CallerARN = id.Account, id.ARN
	e.FromEnvironment()
	sum, err := argumentsSHA256(st)
	if err != nil {
		diags.Append(auditWarning(e, err))
	}
	e.ArgumentsSHA256 = sum
	recorded, errs := b.data.audit.Record(ctx, e)
	for _, err := range errs {
		diags.Append(auditWarning(recorded, err))
	}
	tflog.Info(ctx, "audit event recorded", map[string]any{"action": string(action), "hash": recorded.Hash})
}

// argumentsSHA256 hashes the configurable arguments in the state that are neither sensitive nor write-only,
// as JSON with sorted keys, so the same arguments always give the same hash.
func argumentsSHA256(st *tfsdk.State) (string, error) {
	var attrs map[string]tftypes.Value
	if err := st.Raw.As(&attrs); err != nil {
		return "", err
	}
	args := map[string]any{}
	for name, a := range st.Schema.GetAttributes() {
		if (a.IsRequired() || a.IsOptional()) && !a.IsSensitive() && !a.IsWriteOnly() {
			v, err := plainValue(attrs[name])
			if err != nil {
				return "", err
			}
			args[name] = v
		}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// plainValue turns a Terraform value into what encoding/json writes canonically: maps sort their keys,
// sets are sorted by their encoding, numbers keep every digit.
func plainValue(v tftypes.Value) (any, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, nil
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		return s, v.As(&s)
	case t.Is(tftypes.Bool):
		var b bool
		return b, v.As(&b)
	case t.Is(tftypes.Number):
		f := new(big.Float)
		if err := v.As(f); err != nil {
			return nil, err
		}
		return json.Number(f.Text('g', -1)), nil
	case t.Is(tftypes.Map{}) || t.Is(tftypes.Object{}):
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			pv, err := plainValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = pv
		}
		return out, nil
	default: // lists, sets and tuples
		var l []tftypes.Value
		if err := v.As(&l); err != nil {
			return nil, err
		}
		out := make([]any, 0, len(l))
		for _, e := range l {
			pv, err := plainValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, pv)
		}
		if t.Is(tftypes.Set{}) {
			sort.Slice(out, func(i, j int) bool {
				a, _ := json.Marshal(out[i])
				b, _ := json.Marshal(out[j])
				return string(a) < string(b)
			})
		}
		return out, nil
	}
}
