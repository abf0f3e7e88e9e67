import os

from harness.requests import Generation, Request, SamplingParams
from harness.store import STORE_FILE, SampleStore, generation_key


def _req(**kw):
    return Request(task="t", doc_id="d1", sampling=SamplingParams(**kw), messages=({"role": "user", "content": "hi"},))


def test_key_depends_on_identity_but_not_on_n():
    a = generation_key("m", "1", _req(n=1), 0)
    assert a == generation_key("m", "1", _req(n=8), 0)
    assert a != generation_key("m", "1", _req(n=1), 1)          # sample index
    assert a != generation_key("m2", "1", _req(n=1), 0)         # model
    assert a != generation_key("m", "2", _req(n=1), 0)          # task version
    assert a != generation_key("m", "1", _req(temperature=0.5, seed=1), 0)
    assert generation_key("m", "1", _req(temperature=0.5, seed=1), 0) != generation_key("m", "1", _req(temperature=0.5, seed=2), 0)


def test_roundtrip_and_reopen(tmp_path):
    with SampleStore(tmp_path) as s:
        s.put_generation("k1", Generation("one", n_tokens=3))
        s.put_generation("k2", Generation("two", n_tokens=4))
    s2 = SampleStore(tmp_path)
    assert s2.get_generation("k1").text == "one"
    assert s2.get_generation("k2").n_tokens == 4
    assert s2.corrupted == 0 and len(s2) == 2


def test_torn_last_line_is_skipped_and_next_write_is_clean(tmp_path):
    with SampleStore(tmp_path) as s:
        s.put_generation("k1", Generation("one"))
        s.put_generation("k2", Generation("two"))
    path = tmp_path / STORE_FILE
    data = path.read_bytes()
    path.write_bytes(data[:-25])  # a crash in the middle of writing the last record
    s = SampleStore(tmp_path)
    assert s.corrupted == 1
    assert s.get_generation("k1").text == "one" and s.get_generation("k2") is None
    s.put_generation("k2", Generation("two again"))
    s.close()
    s = SampleStore(tmp_path)
    assert s.get_generation("k2").text == "two again" and s.corrupted == 1


def test_damaged_entry_fails_its_checksum(tmp_path):
    with SampleStore(tmp_path) as s:
        s.put_generation("k1", Generation("the answer is 42"))
    path = tmp_path / STORE_FILE
    path.write_bytes(path.read_bytes().replace(b"42", b"43"))
    s = SampleStore(tmp_path)
    assert s.get_generation("k1") is None and s.corrupted == 1


def test_store_file_is_append_only(tmp_path):
    with SampleStore(tmp_path) as s:
        s.put_generation("k1", Generation("a"))
    size = os.path.getsize(tmp_path / STORE_FILE)
    with SampleStore(tmp_path) as s:
        s.put_generation("k1", Generation("b"))  # a newer record for a key is appended
    assert os.path.getsize(tmp_path / STORE_FILE) > size
    assert SampleStore(tmp_path).get_generation("k1").text == "b"
