package signature

import (
	"strings"
	"testing"
)

// TestRuby pins how RSpec and minitest failures group: runs of one test
// whose values and paths differ are one signature, other tests and other
// expectations are others, and an error raised on the way keys on itself.
func TestRuby(t *testing.T) {
	const rspec404 = `Failures:

  1) Teams GET /api/teams/:name Get
     Failure/Error: expect(status).to eq(200)

       expected: 200
            got: 404

       (compared using ==)
     # ./spec/acceptance/teams_spec.rb:24:in ` + "`block (3 levels) in <top (required)>'" + `

Finished in 1.2 seconds (files took 0.9 seconds to load)
`
	const minitestNil = `  1) Failure:
Rails4Tests#test_external_checks [/home/circleci/project/test/tests/rails4.rb:1670]:
Expected nil to be truthy.
`
	tests := []struct {
		name      string
		a, b      string
		wantSame  bool
		wantTitle string
	}{
		{
			name:      "RSpec: other values, other run",
			a:         rspec404,
			b:         strings.NewReplacer("got: 404", "got: 500", "teams_spec.rb:24", "teams_spec.rb:31", "1.2 seconds", "3.4 seconds").Replace(rspec404),
			wantSame:  true,
			wantTitle: "Teams GET /api/teams/:name Get: expect(status).to eq(<N>)",
		},
		{
			name: "RSpec: another test with the same expectation",
			a:    rspec404,
			b:    strings.Replace(rspec404, "Teams GET /api/teams/:name Get", "Users GET /api/users/:id Get", 1),
		},
		{
			name: "RSpec: another expectation of the same test",
			a:    rspec404,
			b:    strings.Replace(rspec404, "expect(status).to eq(200)", "expect(body).to include(\"team\")", 1),
		},
		{
			name: "RSpec: an error raised in the test is keyed on itself",
			a: `  1) Teams GET /api/teams/:name Get
     Failure/Error: team.members.first.name

     NoMethodError:
       undefined method ` + "`name' for nil" + `
     # ./app/models/team.rb:12:in ` + "`lead'" + `
`,
			b: `  1) Teams POST /api/teams Create
     Failure/Error: team.members.first.name

     NoMethodError:
       undefined method ` + "`name' for nil" + `
     # ./app/models/team.rb:14:in ` + "`lead'" + `
`,
			wantSame:  true,
			wantTitle: "NoMethodError: undefined method `name' for nil",
		},
		{
			name:      "minitest: the same failure on one line and on two",
			a:         minitestNil,
			b:         "   1) Failure: Rails4Tests#test_external_checks [/src/test/tests/rails4.rb:1702]: Expected nil to be truthy.\n",
			wantSame:  true,
			wantTitle: "Rails4Tests: Expected nil to be truthy.",
		},
		{
			name: "minitest: another test class with the same message",
			a:    minitestNil,
			b:    strings.Replace(minitestNil, "Rails4Tests#", "Rails5Tests#", 1),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Compute(tt.a), Compute(tt.b)
			if same := a.Hash == b.Hash; same != tt.wantSame {
				t.Errorf("same signature = %v, want %v:\n%s\n--- and ---\n%s", same, tt.wantSame, a.Normalized, b.Normalized)
			}
			if tt.wantTitle != "" && a.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", a.Title, tt.wantTitle)
			}
		})
	}
}
