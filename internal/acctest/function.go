package acctest

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
)

// RunFunction calls a provider-defined function directly, as Terraform would but without Terraform, and
// returns its result or its error. The result starts as the function's return type says, so a function
// that sets a value of another type fails here as it would in Terraform.
func RunFunction(t *testing.T, f function.Function, args ...attr.Value) (attr.Value, *function.FuncError) {
	t.Helper()
	ctx := t.Context()
	var def function.DefinitionResponse
	f.Definition(ctx, function.DefinitionRequest{}, &def)
	if def.Diagnostics.HasError() {
		t.Fatalf("definition: %v", def.Diagnostics)
	}
	result, err := def.Definition.Return.NewResultData(ctx)
	if err != nil {
		t.Fatalf("result: %v", err)
	}
	resp := function.RunResponse{Result: result}
	f.Run(ctx, function.RunRequest{Arguments: function.NewArgumentsData(args)}, &resp)
	return resp.Result.Value(), resp.Error
}
