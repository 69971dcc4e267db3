package policy

import "testing"

func TestMoveRetention_neverShortensOrWeakens(t *testing.T) {
	gov30 := &Lock{Mode: "GOVERNANCE", Days: 30}
	cases := []struct {
		name     string
		from, to *Lock
		allowed  bool
	}{
		{"no lock before", nil, nil, true},
		{"lock added", nil, gov30, true},
		{"lock dropped", gov30, nil, false},
		{"fewer days", gov30, &Lock{Mode: "GOVERNANCE", Days: 29}, false},
		{"same", gov30, gov30, true},
		{"more days", gov30, &Lock{Mode: "GOVERNANCE", Days: 31}, true},
		{"governance to compliance", gov30, &Lock{Mode: "COMPLIANCE", Days: 30}, true},
		{"compliance to governance", &Lock{Mode: "COMPLIANCE", Days: 30}, &Lock{Mode: "GOVERNANCE", Days: 90}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := MoveRetention(tc.from, tc.to)
			if d.Allowed != tc.allowed {
				t.Fatalf("MoveRetention(%v, %v).Allowed = %v, want %v (%s)", tc.from, tc.to, d.Allowed, tc.allowed, d.Reason)
			}
			if d.Reason == "" {
				t.Fatal("no reason given")
			}
		})
	}
}
