package provider

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server serves the provider over plugin protocol 6: the framework's server, with each
// call's context released when the call returns.
//
// The framework keeps the cancel function of every call's context until StopProvider, which Terraform sends
// only when a run is interrupted. Each of those holds the call's whole context: its loggers and their fields,
// the gRPC stream and, through it, the connection's buffers, some 30 KB a call. A provider process serving
// an apply of 500 buckets would keep tens of megabytes it no longer needs; with the release it keeps about
// a hundred bytes a call.
//
// Each of beforeConfigure is called before every ConfigureProvider is served: the process is then about to
// talk to AWS, which the processes Terraform starts only for the schema or for validation never do.
func NewProtocol6Server(version string, beforeConfigure ...func()) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		server, err := providerserver.NewProtocol6WithError(New(version)())()
		if err != nil {
			return nil, err
		}
		return releasing(server, beforeConfigure...), nil
	}
}

// releasing wraps the framework's server so each call's context is released. A framework that stopped
// serving one of the RPCs of downstream is served as it is: the provider then keeps each call's context until
// StopProvider, as the framework alone does, but it starts and works. Such an upgrade fails
// TestNewProtocol6Server_releasesEachCallsContext, not a user's plan.
func releasing(server tfprotov6.ProviderServer, beforeConfigure ...func()) tfprotov6.ProviderServer {
	next, ok := server.(downstream)
	if !ok {
		return server
	}
	return &releasingServer{next, beforeConfigure}
}

// downstream is every RPC the framework serves, the list, action and state store RPCs included, so that
// the wrapper offers Terraform all of them.
type downstream interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
	tfprotov6.StateStoreServer
}

// releasingServer passes every RPC on. Those Terraform makes for each resource, data source and function
// call, and for each command (schema, metadata, provider validation), get a context that lets go of the
// caller's when the call returns. The rest pass with the caller's context: ConfigureProvider, whose context
// the AWS SDK configuration is built with, after the beforeConfigure calls; StopProvider; the list and action streams, read after the call returns; and
// the ephemeral resource, state store and config generation RPCs, which this provider has no use for.
type releasingServer struct {
	downstream
	beforeConfigure []func()
}

func (s releasingServer) ConfigureProvider(ctx context.Context, req *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	for _, f := range s.beforeConfigure {
		f()
	}
	return s.downstream.ConfigureProvider(ctx, req)
}

// releasableContext answers for the context it holds until released, then for a cancelled one, so that
// whatever keeps it afterwards keeps a few words instead of the caller's context.
type releasableContext struct {
	held atomic.Pointer[heldContext]
}

type heldContext struct{ context.Context }

// released is what a released context answers with: cancelled, without values.
var released = func() *heldContext {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return &heldContext{ctx}
}()

func (c *releasableContext) ctx() context.Context        { return c.held.Load().Context }
func (c *releasableContext) Deadline() (time.Time, bool) { return c.ctx().Deadline() }
func (c *releasableContext) Done() <-chan struct{}       { return c.ctx().Done() }
func (c *releasableContext) Err() error                  { return c.ctx().Err() }
func (c *releasableContext) Value(key any) any           { return c.ctx().Value(key) }

// callReleasing calls next with a context that is released when next returns.
func callReleasing[Req, Resp any](ctx context.Context, req Req, next func(context.Context, Req) (Resp, error)) (Resp, error) {
	c := &releasableContext{}
	c.held.Store(&heldContext{ctx})
	defer c.held.Store(released)
	return next(c, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return callReleasing(ctx, req, s.downstream.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return callReleasing(ctx, req, s.downstream.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return callReleasing(ctx, req, s.downstream.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return callReleasing(ctx, req, s.downstream.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return callReleasing(ctx, req, s.downstream.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return callReleasing(ctx, req, s.downstream.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return callReleasing(ctx, req, s.downstream.MoveResourceState)
}

func (s releasingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return callReleasing(ctx, req, s.downstream.UpgradeResourceIdentity)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return callReleasing(ctx, req, s.downstream.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return callReleasing(ctx, req, s.downstream.ReadDataSource)
}

func (s releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	nullArguments(req)
	return callReleasing(ctx, req, s.downstream.CallFunction)
}

// msgpackNil is MessagePack's encoding of nil, which decodes to the null of any type.
var msgpackNil = []byte{0xc0}

// nullArguments gives each argument that carries no value at all (neither MessagePack nor JSON) the encoding of
// null. Terraform encodes a null argument as MessagePack nil; OpenTofu (1.12 at least) sends it empty, which the
// framework refuses as a broken request ("DynamicValue had no JSON or msgpack data set"), so that
// provider::gdpr::retention_compliant(30, 365, null) failed under OpenTofu alone.
func nullArguments(req *tfprotov6.CallFunctionRequest) {
	if req == nil {
		return
	}
	for i, arg := range req.Arguments {
		if arg == nil || (len(arg.MsgPack) == 0 && len(arg.JSON) == 0) {
			req.Arguments[i] = &tfprotov6.DynamicValue{MsgPack: msgpackNil}
		}
	}
}

func (s releasingServer) GetMetadata(ctx context.Context, req *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return callReleasing(ctx, req, s.downstream.GetMetadata)
}

func (s releasingServer) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return callReleasing(ctx, req, s.downstream.GetProviderSchema)
}

func (s releasingServer) GetResourceIdentitySchemas(ctx context.Context, req *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return callReleasing(ctx, req, s.downstream.GetResourceIdentitySchemas)
}

func (s releasingServer) ValidateProviderConfig(ctx context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return callReleasing(ctx, req, s.downstream.ValidateProviderConfig)
}

func (s releasingServer) GetFunctions(ctx context.Context, req *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return callReleasing(ctx, req, s.downstream.GetFunctions)
}
