package models

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func TestReadLatestModelArtifactHandsOverTheNewestBlob(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	read := func() (*ModelArtifact, []byte, error) {
		var got *ModelArtifact
		var blob []byte
		err := db.ReadLatestModelArtifact(ctx, func(a *ModelArtifact, b io.Reader) error {
			got = a
			var err error
			blob, err = io.ReadAll(b)
			return err
		})
		return got, blob, err
	}
	if _, _, err := read(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no model stored: got %v, want ErrNotFound", err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	old := &ModelArtifact{Blob: []byte("older model"), Stats: `{"a":1}`, Events: 3, TrainedAt: at}
	newest := &ModelArtifact{Blob: []byte("newest model"), Stats: `{"b":2}`, Metrics: `{"ndcg":0.1}`, Events: 7, TrainedAt: at.Add(time.Hour)}
	for _, a := range []*ModelArtifact{old, newest} {
		if err := db.SaveModelArtifact(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	a, blob, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if string(blob) != "newest model" || a.ID != newest.ID || a.Stats != newest.Stats || a.Metrics != newest.Metrics ||
		a.Events != 7 || !a.TrainedAt.Equal(newest.TrainedAt) || a.Blob != nil {
		t.Errorf("got %+v with blob %q, want the newest artifact %+v", a, blob, newest)
	}
	want := errors.New("decode failed")
	if err := db.ReadLatestModelArtifact(ctx, func(*ModelArtifact, io.Reader) error { return want }); !errors.Is(err, want) {
		t.Errorf("the reader's error is lost: %v", err)
	}
}

// TestAModelOverOneValueIsStoredInParts: a model larger than one value may
// hold (1 GB on SQLite and PostgreSQL; a shop of a million visitors has
// one) is stored in parts and read back whole by every reader; rewriting
// it, pruning old models and deleting one leave no part behind.
func TestAModelOverOneValueIsStoredInParts(t *testing.T) {
	defer func(n int) { artifactPartSize = n }(artifactPartSize)
	artifactPartSize = 1000
	db := mustOpen(t)
	ctx := context.Background()
	big := bytes.Repeat([]byte("0123456789abcdefghi"), 200) // 3,800 bytes: four parts
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	a := &ModelArtifact{Blob: big, Stats: `{"big":1}`, Events: 9, TrainedAt: at}
	if err := db.SaveModelArtifact(ctx, a); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Blob, big) {
		t.Error("saving changed the caller's blob")
	}
	parts := func() int64 {
		var n int64
		if err := db.R.Model(&ModelArtifactPart{}).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := parts(); n != 4 {
		t.Errorf("a 3,800-byte model in parts of 1,000: %d parts stored, want 4", n)
	}
	var streamed []byte
	if err := db.ReadLatestModelArtifact(ctx, func(got *ModelArtifact, b io.Reader) error {
		var err error
		streamed, err = io.ReadAll(b)
		return err
	}); err != nil || !bytes.Equal(streamed, big) {
		t.Errorf("ReadLatestModelArtifact: %d bytes, %v; want the model's %d", len(streamed), err, len(big))
	}
	// Read in small pieces, the stream gives the parts in order.
	if err := db.ReadLatestModelArtifact(ctx, func(_ *ModelArtifact, b io.Reader) error {
		var got []byte
		buf := make([]byte, 7)
		for {
			n, err := b.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		if !bytes.Equal(got, big) {
			t.Errorf("read 7 bytes at a time: %d bytes, want the model's %d", len(got), len(big))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.LatestModelArtifact(ctx); err != nil || !bytes.Equal(got.Blob, big) {
		t.Errorf("LatestModelArtifact: %v", err)
	}
	if got, err := db.ModelArtifactByID(ctx, a.ID); err != nil || !bytes.Equal(got.Blob, big) || got.Stats != `{"big":1}` {
		t.Errorf("ModelArtifactByID: %v", err)
	}
	// A part gone missing cuts the stream short where it was (the model's
	// own length check then refuses it), not joined around it.
	if err := db.W.Exec("DELETE FROM model_artifact_parts WHERE artifact_id = ? AND seq = 2", a.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.ReadLatestModelArtifact(ctx, func(_ *ModelArtifact, b io.Reader) error {
		got, err := io.ReadAll(b)
		if len(got) != 2000 || !bytes.Equal(got, big[:2000]) {
			t.Errorf("without part 2: read %d bytes, want the first two parts' 2000", len(got))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A rewrite (a shopper forgotten) under one value, then over it again.
	small := []byte("a small model")
	if err := db.ReplaceArtifactBlob(ctx, a.ID, small); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ModelArtifactByID(ctx, a.ID); err != nil || !bytes.Equal(got.Blob, small) || parts() != 0 {
		t.Errorf("rewritten smaller: %q, %v, %d parts left", got.Blob, err, parts())
	}
	bigger := append(bytes.Clone(big), big...)
	if err := db.ReplaceArtifactBlob(ctx, a.ID, bigger); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ModelArtifactByID(ctx, a.ID); err != nil || !bytes.Equal(got.Blob, bigger) || parts() != 8 {
		t.Errorf("rewritten larger: %d bytes, %v, %d parts", len(got.Blob), err, parts())
	}
	// Newer models push it out of the kept ones: its parts go with it.
	for i := range keptArtifacts {
		if err := db.SaveModelArtifact(ctx, &ModelArtifact{Blob: []byte("newer"), TrainedAt: at.Add(time.Duration(i+1) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := parts(); n != 0 {
		t.Errorf("the pruned model left %d parts", n)
	}
	b := &ModelArtifact{Blob: big, TrainedAt: at.Add(24 * time.Hour)}
	if err := db.SaveModelArtifact(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteModelArtifact(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if n := parts(); n != 0 {
		t.Errorf("the deleted model left %d parts", n)
	}
	if got, err := db.LatestModelArtifact(ctx); err != nil || string(got.Blob) != "newer" {
		t.Errorf("after the delete the latest is %q, %v", got.Blob, err)
	}
}
