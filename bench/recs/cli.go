package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"storefront/recommender"
)

// cliRun scores a world the way a merchant's data reaches the shop: the
// training part written as the import files, then `storefront import`,
// `storefront train` (the defaults, the default tuning budget) and
// `storefront recommend --users-file` on a fresh database, and the JSON
// lines read back. It is the path the outside check takes, so a
// difference from the in-process hybrid column is a defect of that path.
type cliRun struct {
	bin string    // the storefront binary
	dir string    // scratch directory, removed afterwards
	log io.Writer // with -v: what `storefront train` printed
}

// cliResult is what the command-line path scored.
type cliResult struct {
	ndcg                  float64
	unanswered, seenShown int
	trainSeconds          float64
}

func (c cliRun) score(ctx context.Context, train recommender.Dataset, users []string, seen, rel map[string]map[string]bool, k int) (cliResult, error) {
	var r cliResult
	dir, err := os.MkdirTemp(c.dir, "world-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	products, events, usersFile := filepath.Join(dir, "products.csv"), filepath.Join(dir, "events.csv"), filepath.Join(dir, "users.txt")
	if err := writeProducts(products, train.Items); err != nil {
		return r, err
	}
	if err := writeEvents(events, train.Events); err != nil {
		return r, err
	}
	if err := os.WriteFile(usersFile, []byte(strings.Join(users, "\n")+"\n"), 0o644); err != nil {
		return r, err
	}
	db := filepath.Join(dir, "shop.db")
	if _, err := c.run(ctx, "import", "--db", db, "--products", products, "--events", events); err != nil {
		return r, err
	}
	start := time.Now()
	trained, err := c.run(ctx, "train", "--db", db)
	if err != nil {
		return r, err
	}
	r.trainSeconds = time.Since(start).Seconds()
	if c.log != nil {
		for _, l := range strings.Split(strings.TrimSpace(trained), "\n") {
			fmt.Fprintf(c.log, "  train: %s\n", l)
		}
	}
	out, err := c.run(ctx, "recommend", "--db", db, "--users-file", usersFile, "--n", strconv.Itoa(k), "--format", "jsonl")
	if err != nil {
		return r, err
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	var sum float64
	for sc.Scan() {
		var row struct {
			User  string `json:"user_id"`
			Items []struct {
				ID string `json:"item_id"`
			} `json:"recommended_items"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return r, fmt.Errorf("recommend output line %d: %w", line+1, err)
		}
		if line >= len(users) || row.User != users[line] {
			return r, fmt.Errorf("recommend output line %d is for %q, want %q (input order)", line+1, row.User, users[min(line, len(users)-1)])
		}
		recs := make([]recommender.Recommendation, 0, len(row.Items))
		for _, it := range row.Items {
			recs = append(recs, recommender.Recommendation{ItemID: it.ID})
			if seen[row.User][it.ID] {
				r.seenShown++
			}
		}
		if len(recs) < k {
			r.unanswered++
		}
		sum += ndcg(recs, rel[row.User], k)
		line++
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	if line != len(users) {
		return r, fmt.Errorf("recommend answered %d of %d users", line, len(users))
	}
	r.ndcg = sum / float64(max(len(users), 1))
	return r, nil
}

func (c cliRun) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, c.bin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tail := stdout.String() + stderr.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return "", fmt.Errorf("storefront %s: %w\n%s", args[0], err, tail)
	}
	return stdout.String(), nil
}

// writeProducts writes the catalog in the import format
// (id,title,description,category,brand,price,stock,created_at).
func writeProducts(path string, items []recommender.Item) error {
	return writeCSV(path, []string{"id", "title", "description", "category", "brand", "price", "stock", "created_at"}, func(emit func(...string) error) error {
		for _, it := range items {
			cat := strings.Join(it.CategoryPath, " > ")
			if cat == "" {
				cat = it.Category
			}
			if cat == "" {
				cat = "Other"
			}
			created := ""
			// A shop's import takes creation times from 1970 on; MovieLens
			// gives its films' release dates, which are not the shop's.
			if !it.Created.IsZero() && it.Created.Year() >= 1970 {
				created = it.Created.UTC().Format(time.RFC3339)
			}
			price := fmt.Sprintf("%d.%02d", it.PriceCents/100, it.PriceCents%100)
			if err := emit(it.ID, it.Title, it.Description, cat, it.Brand, price, strconv.Itoa(max(it.Stock, 0)), created); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeEvents writes events in the import format
// (user_id,product_id,type,timestamp), with the optional value column
// when any event carries one (ratings), empty where an event has none.
func writeEvents(path string, evs []recommender.Event) error {
	header := []string{"user_id", "product_id", "type", "timestamp"}
	values := slices.ContainsFunc(evs, func(e recommender.Event) bool { return e.Value != 0 })
	if values {
		header = append(header, "value")
	}
	return writeCSV(path, header, func(emit func(...string) error) error {
		for _, e := range evs {
			rec := []string{e.User, e.Item, e.Type.String(), e.Time.UTC().Format(time.RFC3339Nano)}
			if values {
				v := ""
				if e.Value != 0 {
					v = strconv.FormatFloat(e.Value, 'g', -1, 64)
				}
				rec = append(rec, v)
			}
			if err := emit(rec...); err != nil {
				return err
			}
		}
		return nil
	})
}

func writeCSV(path string, header []string, rows func(emit func(...string) error) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f) // buffered itself
	if err := w.Write(header); err != nil {
		f.Close()
		return err
	}
	if err := rows(func(rec ...string) error { return w.Write(rec) }); err != nil {
		f.Close()
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeSampleUsers writes every every-th distinct shopper of evs, one id
// a line, in the order they first appear: a file for `storefront
// recommend --users-file` to time serving with.
func writeSampleUsers(path string, evs []recommender.Event, every int) error {
	var b strings.Builder
	seen := map[string]bool{}
	for _, e := range evs {
		if seen[e.User] {
			continue
		}
		if seen[e.User] = true; (len(seen)-1)%every == 0 {
			b.WriteString(e.User)
			b.WriteByte('\n')
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// exportWorlds writes each chosen world (all of them when want is
// empty) as dir/<world>/products.csv and events.csv in the import's
// format: every event, not only a training part, so that the files are
// a whole shop to import.
func exportWorlds(dir string, want map[string]bool, log io.Writer) error {
	for _, spec := range worlds {
		if !spec.chosen(want) {
			continue
		}
		w := generate(spec)
		sub := filepath.Join(dir, spec.Name)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		if err := writeProducts(filepath.Join(sub, "products.csv"), w.items); err != nil {
			return err
		}
		if err := writeEvents(filepath.Join(sub, "events.csv"), w.evs); err != nil {
			return err
		}
		if err := writeSampleUsers(filepath.Join(sub, "users.txt"), w.evs, 100); err != nil {
			return err
		}
		fmt.Fprintf(log, "%s: %d products, %d events in %s\n", spec.Name, len(w.items), len(w.evs), sub)
	}
	return nil
}
