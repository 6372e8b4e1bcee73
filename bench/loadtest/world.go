package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"storefront/models"
	"storefront/seed"
)

// prepared describes the database a run serves.
type prepared struct {
	path      string // the run's working copy: a SQLite file or a postgres:// URL
	seeded    time.Duration
	copied    time.Duration
	train     trainReport
	trainWall time.Duration
	trainRSS  int64 // peak RSS of the training process, bytes
}

// prepare seeds the scale's pristine database once (or reuses it), copies it
// to a working file so every run starts from the same data, and trains and
// stores a model on the copy in a child process.
func prepare(ctx context.Context, o Options, log io.Writer) (*prepared, error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	p := &prepared{path: filepath.Join(o.Dir, o.Scale+"-run.db")}
	pristine := filepath.Join(o.Dir, o.Scale+"-seed.db")
	if o.Reseed {
		removeDB(pristine)
	}
	if _, err := os.Stat(pristine); errors.Is(err, os.ErrNotExist) {
		start := time.Now()
		fmt.Fprintf(log, "bench: seeding the %s world into %s\n", o.Scale, pristine)
		db, err := models.Open(pristine + ".tmp")
		if err != nil {
			return nil, err
		}
		_, err = seed.Seed(ctx, db, seed.Options{Scale: o.Scale, Reset: true}, log)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			removeDB(pristine + ".tmp")
			return nil, err
		}
		if err := os.Rename(pristine+".tmp", pristine); err != nil {
			return nil, fmt.Errorf("loadtest: %w", err)
		}
		p.seeded = time.Since(start)
	} else {
		fmt.Fprintf(log, "bench: reusing %s (delete it or pass --reseed to rebuild)\n", pristine)
	}

	start := time.Now()
	if models.IsPostgresURL(o.DB) {
		if err := preparePostgres(ctx, o.DB, pristine, o.Scale, o.Reseed || o.pgReseed, log); err != nil {
			return nil, err
		}
		p.path = o.DB
	} else if err := copyFile(ctx, pristine, p.path); err != nil {
		return nil, err
	}
	p.copied = time.Since(start)

	if o.ModelFrom != "" {
		// The same stored model as the run it is compared with: the
		// homepages then compose alike, and the machine trains once.
		fmt.Fprintf(log, "bench: copying the model trained on %s\n", o.ModelFrom)
		return p, copyModel(ctx, o.ModelFrom, p.path)
	}
	fmt.Fprintf(log, "bench: training on %s\n", models.RedactURL(p.path))
	start = time.Now()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, self(), childTrain, "--db", p.path)
	cmd.Stdout, cmd.Stderr = &out, log
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("loadtest: training child: %w", err)
	}
	p.trainWall = time.Since(start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		p.trainRSS = ru.Maxrss * 1024
	}
	if err := json.Unmarshal(out.Bytes(), &p.train); err != nil {
		return nil, fmt.Errorf("loadtest: training child said %q: %w", out.String(), err)
	}
	return p, nil
}

// copyModel stores the newest model of the database from in the database to.
func copyModel(ctx context.Context, from, to string) error {
	src, err := models.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	a, err := src.LatestModelArtifact(ctx)
	if err != nil {
		return err
	}
	dst, err := models.Open(to)
	if err != nil {
		return err
	}
	defer dst.Close()
	a.ID = 0
	return dst.SaveModelArtifact(ctx, a)
}

// copyFile makes path a consistent copy of the SQLite file pristine.
func copyFile(ctx context.Context, pristine, path string) error {
	removeDB(path)
	src, err := models.Open(pristine)
	if err != nil {
		return err
	}
	err = src.Backup(ctx, path)
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	return err
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

func self() string {
	exe, err := os.Executable()
	if err != nil {
		return os.Args[0]
	}
	return exe
}

// fixture is what the load needs to know about the seeded world.
type fixture struct {
	apiKey     string
	products   []productRef // active and in stock
	categories []string     // slugs
	queries    []string
	shoppers   int // seeded shoppers with shopperNNNNN emails
}

type productRef struct {
	id   uint
	path string // canonical /p/ID-slug
	ext  string
}

// loadFixture reads ids, slugs and search words from the run database and
// creates the event API key.
func loadFixture(ctx context.Context, path string, rng *rand.Rand) (*fixture, models.DataCounts, error) {
	db, err := models.Open(path)
	if err != nil {
		return nil, models.DataCounts{}, err
	}
	defer db.Close()
	counts, err := db.Counts(ctx)
	if err != nil {
		return nil, counts, err
	}
	f := &fixture{shoppers: int(counts.Shoppers) - 1}
	secret, _, err := db.CreateAPIKey(ctx, "bench", "bench", models.ScopeEvents)
	if err != nil {
		return nil, counts, err
	}
	f.apiKey = secret
	products, err := db.AllProducts(ctx)
	if err != nil {
		return nil, counts, err
	}
	words := map[string]bool{}
	for i := range products {
		p := &products[i]
		if !p.InStock() {
			continue
		}
		f.products = append(f.products, productRef{id: p.ID, path: fmt.Sprintf("/p/%d-%s", p.ID, p.Slug), ext: p.ExternalID})
		// Searches shoppers type: a brand, a title word, a two-word phrase.
		t := strings.Fields(strings.ToLower(p.Title))
		switch {
		case i%3 == 0:
			words[strings.ToLower(p.Brand)] = true
		case len(t) >= 2 && i%3 == 1:
			words[t[len(t)-2]+" "+t[len(t)-1]] = true
		case len(t) >= 1:
			words[t[len(t)-1]] = true
		}
	}
	for w := range words {
		f.queries = append(f.queries, w)
	}
	slices.Sort(f.queries)
	rng.Shuffle(len(f.queries), func(i, j int) { f.queries[i], f.queries[j] = f.queries[j], f.queries[i] })
	f.queries = f.queries[:min(len(f.queries), 500)]
	cats, err := db.Categories(ctx)
	if err != nil {
		return nil, counts, err
	}
	for _, c := range cats {
		f.categories = append(f.categories, c.Slug)
	}
	if len(f.products) == 0 || len(f.categories) == 0 || f.shoppers < 1 {
		return nil, counts, fmt.Errorf("loadtest: %s has no products, categories or shoppers; reseed it", path)
	}
	return f, counts, nil
}
