package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// rendering is one way of writing a stored document as text.
type rendering int

const (
	// canonical: keys sorted, every number a JSON number (int32, int64 and
	// double alike): what both stores mean.
	canonical rendering = iota
	// ordered: keys in the order the store keeps them, numbers as in
	// canonical.
	ordered
	// typed: keys sorted, each number tagged with its BSON type.
	typed
)

// collectionSum digests one collection read in _id order.
type collectionSum struct {
	Docs      int64
	Canonical hash.Hash // over the canonical renderings, one per line
	Raw       hash.Hash // over the stored BSON bytes
}

// comparison is what compareCollections found.
type comparison struct {
	A, B                     collectionSum
	OnlyA, OnlyB             int64
	Same                     int64 // identical canonical rendering
	Differ                   int64 // different canonical rendering
	RawSame                  int64 // identical BSON bytes
	KeyOrder, NumberTypes    int64 // same canonically, different in key order / in number types
	FirstDiffer, FirstLayout string
	OnlyASample, OnlyBSample []string
}

// compareCollections reads collection coll of databases dbA and dbB on uri
// in _id order and compares them document by document.
func compareCollections(ctx context.Context, uri, dbA, dbB, coll string) (comparison, error) {
	c := comparison{
		A: collectionSum{Canonical: sha256.New(), Raw: sha256.New()},
		B: collectionSum{Canonical: sha256.New(), Raw: sha256.New()},
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return c, err
	}
	defer client.Disconnect(context.WithoutCancel(ctx))
	open := func(db string) (*mongo.Cursor, error) {
		cur, err := client.Database(db).Collection(coll).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
		if err != nil {
			return nil, fmt.Errorf("read %s.%s: %w", db, coll, err)
		}
		return cur, nil
	}
	curA, err := open(dbA)
	if err != nil {
		return c, err
	}
	defer curA.Close(ctx)
	curB, err := open(dbB)
	if err != nil {
		return c, err
	}
	defer curB.Close(ctx)

	next := func(cur *mongo.Cursor, sum *collectionSum, db string) (bson.Raw, string, error) {
		if !cur.Next(ctx) {
			if err := cur.Err(); err != nil {
				return nil, "", fmt.Errorf("read %s.%s: %w", db, coll, err)
			}
			return nil, "", nil
		}
		raw := append(bson.Raw(nil), cur.Current...)
		id, ok := raw.Lookup("_id").StringValueOK()
		if !ok {
			return nil, "", fmt.Errorf("%s.%s: a document whose _id is not a string: %s", db, coll, raw.Lookup("_id"))
		}
		sum.Docs++
		sum.Raw.Write(raw)
		sum.Canonical.Write(render(raw, canonical))
		sum.Canonical.Write([]byte{'\n'})
		return raw, id, nil
	}
	a, idA, err := next(curA, &c.A, dbA)
	if err != nil {
		return c, err
	}
	b, idB, err := next(curB, &c.B, dbB)
	if err != nil {
		return c, err
	}
	for a != nil || b != nil {
		switch {
		case b == nil || (a != nil && idA < idB):
			c.OnlyA++
			if len(c.OnlyASample) < 3 {
				c.OnlyASample = append(c.OnlyASample, idA)
			}
			if a, idA, err = next(curA, &c.A, dbA); err != nil {
				return c, err
			}
			continue
		case a == nil || idB < idA:
			c.OnlyB++
			if len(c.OnlyBSample) < 3 {
				c.OnlyBSample = append(c.OnlyBSample, idB)
			}
			if b, idB, err = next(curB, &c.B, dbB); err != nil {
				return c, err
			}
			continue
		}
		c.classify(a, b)
		if a, idA, err = next(curA, &c.A, dbA); err != nil {
			return c, err
		}
		if b, idB, err = next(curB, &c.B, dbB); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (c *comparison) classify(a, b bson.Raw) {
	if bytes.Equal(a, b) {
		c.Same++
		c.RawSame++
		return
	}
	ca, cb := render(a, canonical), render(b, canonical)
	if !bytes.Equal(ca, cb) {
		c.Differ++
		if c.FirstDiffer == "" {
			c.FirstDiffer = "BioThings: " + string(ca) + "\n      Studio:    " + string(cb)
		}
		return
	}
	c.Same++
	if !bytes.Equal(render(a, ordered), render(b, ordered)) {
		c.KeyOrder++
		if c.FirstLayout == "" {
			c.FirstLayout = "BioThings: " + string(render(a, ordered)) + "\n      Studio:    " + string(render(b, ordered))
		}
	}
	if !bytes.Equal(render(a, typed), render(b, typed)) {
		c.NumberTypes++
	}
}

// render writes a stored document as text (see rendering).
func render(raw bson.Raw, how rendering) []byte {
	var buf bytes.Buffer
	writeDoc(&buf, raw, how)
	return buf.Bytes()
}

func writeDoc(buf *bytes.Buffer, raw bson.Raw, how rendering) {
	elems, err := raw.Elements()
	if err != nil {
		fmt.Fprintf(buf, "<bad document: %v>", err)
		return
	}
	if how != ordered {
		sort.Slice(elems, func(i, j int) bool { return elems[i].Key() < elems[j].Key() })
	}
	buf.WriteByte('{')
	for i, e := range elems {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSON(buf, e.Key())
		buf.WriteByte(':')
		writeValue(buf, e.Value(), how)
	}
	buf.WriteByte('}')
}

func writeValue(buf *bytes.Buffer, v bson.RawValue, how rendering) {
	switch v.Type {
	case bson.TypeString:
		writeJSON(buf, v.StringValue())
	case bson.TypeEmbeddedDocument:
		writeDoc(buf, v.Document(), how)
	case bson.TypeArray:
		vals, _ := v.Array().Values()
		buf.WriteByte('[')
		for i, e := range vals {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeValue(buf, e, how)
		}
		buf.WriteByte(']')
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
		var n any
		switch v.Type {
		case bson.TypeInt32:
			n = v.Int32()
		case bson.TypeInt64:
			n = v.Int64()
		default:
			n = v.Double()
		}
		if how == typed {
			fmt.Fprintf(buf, "%s(%v)", v.Type, n)
		} else {
			writeJSON(buf, n)
		}
	case bson.TypeBoolean:
		writeJSON(buf, v.Boolean())
	case bson.TypeNull, bson.TypeUndefined:
		buf.WriteString("null")
	default:
		fmt.Fprintf(buf, "%s(%s)", v.Type, v)
	}
}

func writeJSON(buf *bytes.Buffer, v any) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	buf.Truncate(buf.Len() - 1) // Encode's newline
}

func sumHex(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

// report prints what the comparison found.
func (c comparison) report(expected int) bool {
	ok := true
	countLine := fmt.Sprintf("BioThings %d, Studio %d, expected %d (MUT variants with a gDNA in the file)", c.A.Docs, c.B.Docs, expected)
	if c.A.Docs == c.B.Docs && c.A.Docs == int64(expected) {
		fmt.Printf("%-34s %s: same\n", "documents:", countLine)
	} else {
		fmt.Printf("%-34s %s: DIFFERENT\n", "documents:", countLine)
		ok = false
	}
	if c.OnlyA > 0 || c.OnlyB > 0 {
		fmt.Printf("%-34s %d only in BioThings' collection (e.g. %s), %d only in Studio's (e.g. %s)\n", "",
			c.OnlyA, strings.Join(c.OnlyASample, ", "), c.OnlyB, strings.Join(c.OnlyBSample, ", "))
		ok = false
	}
	ca, cb := sumHex(c.A.Canonical), sumHex(c.B.Canonical)
	if ca == cb && c.Differ == 0 {
		fmt.Printf("%-34s same: sha256 %s over %d documents (keys sorted, numbers as JSON numbers)\n", "canonical JSON, in _id order:", ca[:16], c.A.Docs)
	} else {
		fmt.Printf("%-34s DIFFERENT: BioThings sha256 %s, Studio %s; %d documents with the same _id differ\n", "canonical JSON, in _id order:", ca[:16], cb[:16], c.Differ)
		if c.FirstDiffer != "" {
			fmt.Printf("      first that differs:\n      %s\n", c.FirstDiffer)
		}
		ok = false
	}
	ra, rb := sumHex(c.A.Raw), sumHex(c.B.Raw)
	both := c.Same + c.Differ
	switch {
	case ra == rb:
		fmt.Printf("%-34s same: sha256 %s (key order and number types too)\n", "stored BSON bytes:", ra[:16])
	default:
		fmt.Printf("%-34s differ in %d of %d common documents: %d in key order only, %d in number types\n",
			"stored BSON bytes:", both-c.RawSame, both, c.KeyOrder, c.NumberTypes)
		if c.FirstLayout != "" {
			fmt.Printf("      first whose key order differs (stored order):\n      %s\n", c.FirstLayout)
		}
	}
	return ok
}
