package providerdata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// CallerIdentity is who the provider acts as, asked of STS at most once per provider process: Configure
// records the answer it gets while validating the credentials; otherwise the first audit event asks.
type CallerIdentity struct {
	once sync.Once
	id   awsapi.Identity
	err  error
	// done is set once id and err are final, so known can read them without asking STS.
	done atomic.Bool
}

// Set records the identity Configure learnt; later calls change nothing.
func (c *CallerIdentity) Set(id awsapi.Identity) {
	c.once.Do(func() {
		c.id = id
		c.done.Store(true)
	})
}

// known is the identity learnt so far, empty when nobody has asked STS yet.
func (c *CallerIdentity) known() awsapi.Identity {
	if !c.done.Load() {
		return awsapi.Identity{}
	}
	return c.id
}

func (c *CallerIdentity) get(ctx context.Context, clients *awsapi.Clients) awsapi.Identity {
	c.once.Do(func() {
		defer c.done.Store(true)
		if clients == nil {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		id, err := clients.CallerIdentity(ctx)
		if err != nil {
			// The trail records what it knows; credentials that cannot say who they are still did the work.
			tflog.Warn(ctx, "caller identity unavailable", map[string]any{"error": err.Error()})
			c.err = err
			return
		}
		c.id = id
	})
	return c.id
}

// CallerAccount is the AWS account the provider's credentials belong to: the one Configure learnt while
// validating them, else asked of STS now, once per provider process. It is "" when STS cannot say (the
// provider is not configured, or an AWS-compatible service has no STS). d may be nil.
func (d *Data) CallerAccount(ctx context.Context) string {
	if d == nil {
		return ""
	}
	return d.Caller.get(ctx, d.Clients).Account
}

// KnownAccount is the account of the provider's credentials when this process has learnt it already (at
// Configure, or for an earlier resource), else "": for callers that must not send a request to AWS.
func (d *Data) KnownAccount() string {
	if d == nil {
		return ""
	}
	return d.Caller.known().Account
}

// Account is CallerAccount with the reason it is "" when STS could not say, for callers that tell the user.
// The answer, failure included, is asked once per provider process.
func (d *Data) Account(ctx context.Context) (string, error) {
	if d == nil {
		return "", nil
	}
	id := d.Caller.get(ctx, d.Clients)
	return id.Account, d.Caller.err
}

// CheckAudit fails a plan that would create or destroy a typeName resource while the audit trail cannot take
// the event: better no change than a change nobody can account for. d may be nil.
func (d *Data) CheckAudit(typeName string, diags *diag.Diagnostics) {
	if d == nil || d.Audit == nil {
		return
	}
	var signer *audit.SignerError
	if err := d.Audit.Check(); errors.As(err, &signer) {
		diags.Append(auditSignerDiag("This plan creates or destroys "+typeName+", and every such change", signer))
	} else if err != nil {
		diags.Append(auditUnwritableDiag(typeName, err))
	}
}

// CheckAuditAction fails an invocation of the typeName action, which erases data, while the audit trail
// cannot take its event: it runs before anything is deleted, at plan and again at the invocation. d may be nil.
func (d *Data) CheckAuditAction(typeName string, diags *diag.Diagnostics) {
	d.CheckAuditActionThat(typeName, "erases data, and every erasure", "nothing is erased", diags)
}

// CheckAuditActionThat is CheckAuditAction for an action that changes something other than data, so that
// its diagnostic says what the action does: does is what it does and what is recorded ("isolates a
// server, and every isolation"), and nothing what the invocation then does not do ("nothing is changed").
func (d *Data) CheckAuditActionThat(typeName, does, nothing string, diags *diag.Diagnostics) {
	if d == nil || d.Audit == nil {
		return
	}
	var signer *audit.SignerError
	if err := d.Audit.Check(); errors.As(err, &signer) {
		diags.Append(auditSignerDiag("The "+typeName+" action "+does, signer))
	} else if err != nil {
		diags.Append(auditUnwritableActionDiag(typeName, does, nothing, err))
	}
}

// Record writes the audit event of a successful create or delete of the typeName resource whose state is st.
// Resources defer it at the top of Create and Delete, so it sees the final diagnostics. A sink that failed
// while the other took the event is a warning; an event no sink took is an error that carries the event,
// since the change would otherwise be unaccounted for (the plan checked the file, so this is rare). d may
// be nil.
func (d *Data) Record(ctx context.Context, typeName string, action audit.Action, st *tfsdk.State, diags *diag.Diagnostics) {
	if diags.HasError() || d == nil || d.Audit == nil || st.Raw.IsNull() {
		return
	}
	e := audit.Event{Time: time.Now(), Action: action, ResourceType: typeName}
	for name, into := range map[string]*string{"id": &e.CloudID, "region": &e.Region, "jurisdiction": &e.Jurisdiction} {
		var v types.String
		if !st.GetAttribute(ctx, path.Root(name), &v).HasError() {
			*into = v.ValueString()
		}
	}
	sum, err := ArgumentsSHA256(st)
	if err != nil {
		diags.Append(auditHashWarning(e, err))
	}
	e.ArgumentsSHA256 = sum
	d.RecordEvent(ctx, e, diags)
}

// RecordEvent writes e, with who the provider acts as and the run it is part of filled in, as Record does;
// the bucket's move event is built by the bucket. d may be nil.
func (d *Data) RecordEvent(ctx context.Context, e audit.Event, diags *diag.Diagnostics) {
	if d == nil || d.Audit == nil {
		return
	}
	action := e.Action
	id := d.Caller.get(ctx, d.Clients)
	e.CallerAccount, e.CallerARN = id.Account, id.ARN
	e.FromEnvironment()
	recorded, errs := d.Audit.Record(ctx, e)
	inFile, delivered := d.Audit.HasFile(), d.Audit.HasWebhook()
	queued := ""
	for _, err := range errs {
		var sink *audit.SinkError
		if errors.As(err, &sink) {
			inFile = inFile && sink.Sink != "file"
			delivered = delivered && sink.Sink != "webhook"
			if sink.Queued != "" {
				queued = sink.Queued
			}
		}
	}
	for _, err := range errs {
		diags.Append(auditDiag(recorded, err, inFile, delivered, queued))
	}
	tflog.Info(ctx, "audit event recorded", map[string]any{"action": string(action), "hash": recorded.Hash})
}

// ArgumentsSHA256 hashes the configurable arguments in the state that are neither sensitive nor write-only,
// as JSON with sorted keys, so the same arguments always give the same hash.
func ArgumentsSHA256(st *tfsdk.State) (string, error) {
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
