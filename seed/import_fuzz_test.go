package seed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImportEvents: any events file is either refused with nothing written
// and every problem located, or imported with the summary matching the rows
// that were added.
func FuzzImportEvents(f *testing.F) {
	f.Add(goodEvents)
	f.Add("user_id,product_id,type,timestamp,value\nu,P1,purchase,2026-02-01T09:00:00Z,19.99\n")
	f.Add("user_id,product_id,type,timestamp\nu,NOPE,view,2026-02-01T09:00:00Z\n")
	f.Add("user_id,product_id,type,timestamp\nu,P1,like,yesterday\n")
	f.Add("user_id,product_id,type,timestamp\n\"u\nv\",P1,view,2026-02-01T09:00:00+02:00\n")
	f.Add("user_id,product_id\n")
	f.Add("")
	db := openDB(f)
	mustImport(f, db, goodProducts, "")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "events.csv")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		before := dbState(t, db)
		beforeCounts, _ := db.Counts(context.Background())
		sum, err := Import(context.Background(), db, "", path, nil)
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) || ie.Total == 0 || len(ie.Problems) == 0 {
				t.Fatalf("error %v is not an ImportError with problems", err)
			}
			for _, p := range ie.Problems {
				if p.File != "events.csv" || p.Line < 1 || p.Reason == "" {
					t.Fatalf("malformed problem %+v", p)
				}
			}
			if after := dbState(t, db); after != before {
				t.Fatal("refused import changed the database")
			}
			return
		}
		after, _ := db.Counts(context.Background())
		if after.Events != beforeCounts.Events+int64(sum.Events) || after.Products != beforeCounts.Products {
			t.Fatalf("summary %+v does not match counts %+v → %+v", sum, beforeCounts, after)
		}
	})
}
