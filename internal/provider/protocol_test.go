package provider

import (
	"context"
	"runtime"
	"testing"
	"weak"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

type payloadKey struct{}

// protocolCalls are the RPCs Terraform makes for each resource, data source or function call, and the
// per-command ones, each with the smallest request the framework answers (with diagnostics, if need be).
func protocolCalls(s tfprotov6.ProviderServer) map[string]func(context.Context) error {
	bucket := "gdpr_bucket"
	return map[string]func(context.Context) error{
		"GetMetadata":                rpc(s.GetMetadata, &tfprotov6.GetMetadataRequest{}),
		"GetProviderSchema":          rpc(s.GetProviderSchema, &tfprotov6.GetProviderSchemaRequest{}),
		"ValidateResourceConfig":     rpc(s.ValidateResourceConfig, &tfprotov6.ValidateResourceConfigRequest{TypeName: bucket}),
		"UpgradeResourceState":       rpc(s.UpgradeResourceState, &tfprotov6.UpgradeResourceStateRequest{TypeName: bucket}),
		"ReadResource":               rpc(s.ReadResource, &tfprotov6.ReadResourceRequest{TypeName: bucket}),
		"PlanResourceChange":         rpc(s.PlanResourceChange, &tfprotov6.PlanResourceChangeRequest{TypeName: bucket}),
		"ApplyResourceChange":        rpc(s.ApplyResourceChange, &tfprotov6.ApplyResourceChangeRequest{TypeName: bucket}),
		"ReadDataSource":             rpc(s.ReadDataSource, &tfprotov6.ReadDataSourceRequest{TypeName: "gdpr_region"}),
		"GetResourceIdentitySchemas": rpc(s.GetResourceIdentitySchemas, &tfprotov6.GetResourceIdentitySchemasRequest{}),
		"ValidateProviderConfig":     rpc(s.ValidateProviderConfig, &tfprotov6.ValidateProviderConfigRequest{}),
		"ImportResourceState":        rpc(s.ImportResourceState, &tfprotov6.ImportResourceStateRequest{TypeName: bucket}),
		"MoveResourceState":          rpc(s.MoveResourceState, &tfprotov6.MoveResourceStateRequest{TargetTypeName: bucket}),
		"UpgradeResourceIdentity":    rpc(s.UpgradeResourceIdentity, &tfprotov6.UpgradeResourceIdentityRequest{TypeName: bucket}),
		"ValidateDataResourceConfig": rpc(s.ValidateDataResourceConfig, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: "gdpr_region"}),
		"GetFunctions":               rpc(s.GetFunctions, &tfprotov6.GetFunctionsRequest{}),
		"CallFunction":               rpc(s.CallFunction, &tfprotov6.CallFunctionRequest{Name: "jurisdiction"}),
	}
}

// rpc binds an RPC to its request, leaving the context to the caller.
func rpc[Req, Resp any](call func(context.Context, Req) (Resp, error), req Req) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := call(ctx, req)
		return err
	}
}

// callAndForget makes one call with a context carrying a payload of its own, and returns a weak pointer
// to that payload: nil after a collection if nothing kept the call's context.
func callAndForget(t *testing.T, call func(context.Context) error) weak.Pointer[[4096]byte] {
	t.Helper()
	payload := new([4096]byte)
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), payloadKey{}, payload))
	defer cancel()
	if err := call(ctx); err != nil {
		t.Fatalf("the call failed: %v", err)
	}
	return weak.Make(payload)
}

// The framework keeps every call's cancel function until StopProvider; the provider's server must not let
// that keep the call's context (with its loggers, gRPC stream and connection buffers) alive.
func TestNewProtocol6Server_releasesEachCallsContext(t *testing.T) {
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	for name, call := range protocolCalls(server) {
		t.Run(name, func(t *testing.T) {
			ref := callAndForget(t, call)
			runtime.GC()
			runtime.GC()
			if ref.Value() != nil {
				t.Errorf("%s: the server still holds the call's context after the call returned", name)
			}
		})
	}
}

// A released context answers as a cancelled one, so a late caller stops instead of working on.
func TestReleasableContext_answersAsCancelledOnceReleased(t *testing.T) {
	var inside context.Context
	_, _ = callReleasing(context.WithValue(context.Background(), payloadKey{}, "v"), 0, func(ctx context.Context, _ int) (int, error) {
		if got := ctx.Value(payloadKey{}); got != "v" {
			t.Errorf("during the call Value = %v, want the caller's value", got)
		}
		if ctx.Err() != nil {
			t.Errorf("during the call Err = %v, want nil", ctx.Err())
		}
		inside = ctx
		return 0, nil
	})
	if inside.Value(payloadKey{}) != nil {
		t.Error("after the call the context still answers with the caller's value")
	}
	if inside.Err() != context.Canceled {
		t.Errorf("after the call Err = %v, want context.Canceled", inside.Err())
	}
	select {
	case <-inside.Done():
	default:
		t.Error("after the call Done is not closed")
	}
}

// Cancelling the caller's context (Terraform's StopProvider, an interrupted run) reaches the call.
func TestReleasableContext_passesCancellationThrough(t *testing.T) {
	caller, cancel := context.WithCancel(context.Background())
	_, _ = callReleasing(caller, 0, func(ctx context.Context, _ int) (int, error) {
		derived, stop := context.WithCancel(ctx)
		defer stop()
		cancel()
		<-derived.Done()
		if derived.Err() != context.Canceled {
			t.Errorf("derived Err = %v, want context.Canceled", derived.Err())
		}
		return 0, nil
	})
}

// BenchmarkProtocol6Server_retainedPerCall reports the heap a ValidateResourceConfig call leaves behind
// for good (retained-B/call): the framework's record of the call, nothing of the caller's context.
func BenchmarkProtocol6Server_retainedPerCall(b *testing.B) {
	server, err := NewProtocol6Server("bench")()
	if err != nil {
		b.Fatal(err)
	}
	req := &tfprotov6.ValidateResourceConfigRequest{TypeName: "gdpr_bucket"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		ctx := context.WithValue(context.Background(), payloadKey{}, new([1024]byte))
		if _, err := server.ValidateResourceConfig(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(server) // what the server keeps is the point
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "retained-B/call")
}

// onlyProviderServer hides every optional RPC interface of the server it holds, as a framework that dropped
// one would.
type onlyProviderServer struct{ tfprotov6.ProviderServer }

// A framework server without one of the RPCs the wrapper passes on is served unwrapped instead of failing
// the provider's start.
func TestReleasing_servesAFrameworkWithoutAnRPCUnwrapped(t *testing.T) {
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := server.(*releasingServer); !ok {
		t.Fatalf("the framework's server was not wrapped: %T", server)
	}
	plain := onlyProviderServer{server}
	if got := releasing(plain); got != tfprotov6.ProviderServer(plain) {
		t.Errorf("releasing(%T) = %T, want the server itself", plain, got)
	}
}

// TestCallFunction_argumentWithoutAValueIsNull calls provider::gdpr::retention_compliant(30, 365, null) as
// OpenTofu sends it, the null argument with neither MessagePack nor JSON: the provider must answer as for
// Terraform's MessagePack nil, not fail the call as a broken request.
func TestCallFunction_argumentWithoutAValueIsNull(t *testing.T) {
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	number := func(n int) *tfprotov6.DynamicValue {
		v, err := tfprotov6.NewDynamicValue(tftypes.Number, tftypes.NewValue(tftypes.Number, n))
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	for name, null := range map[string]*tfprotov6.DynamicValue{
		"as OpenTofu sends it":  {},
		"as Terraform sends it": {MsgPack: []byte{0xc0}},
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := server.CallFunction(context.Background(), &tfprotov6.CallFunctionRequest{
				Name: "retention_compliant", Arguments: []*tfprotov6.DynamicValue{number(30), number(365), null},
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Error != nil {
				t.Fatalf("the call failed: %s", resp.Error.Text)
			}
			got, err := resp.Result.Unmarshal(tftypes.Bool)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tftypes.NewValue(tftypes.Bool, true)) {
				t.Errorf("retention_compliant(30, 365, null) = %v, want true", got)
			}
		})
	}
}
