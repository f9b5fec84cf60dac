"""A small flattened device tree reader for the image tests: enough to walk
nodes and read properties of the board tree and of the partition plan
packed in the hypervisor image, without a Python libfdt binding."""
import struct

FDT_MAGIC = 0xD00DFEED
BEGIN_NODE, END_NODE, PROP, NOP, END = 1, 2, 3, 4, 9


class Node:
    def __init__(self, name):
        self.name = name
        self.props = {}
        self.children = {}

    def child(self, path):
        """The node at a path relative to this one ("a/b"), or None."""
        node = self
        for part in [p for p in path.split("/") if p]:
            node = node.children.get(part)
            if node is None:
                return None
        return node

    def string(self, prop):
        value = self.props.get(prop)
        return None if value is None else value.rstrip(b"\0").split(b"\0")[0].decode()

    def strings(self, prop):
        value = self.props.get(prop, b"")
        return [s.decode() for s in value.rstrip(b"\0").split(b"\0")] if value else []

    def cells(self, prop):
        value = self.props.get(prop, b"")
        return list(struct.unpack(f">{len(value) // 4}I", value))

    def u64(self, prop):
        return struct.unpack(">Q", self.props[prop])[0]


def header(blob, offset=0):
    """(totalsize, off_struct, off_strings) of the tree at offset, or None."""
    if len(blob) < offset + 40:
        return None
    magic, total, off_struct, off_strings = struct.unpack_from(">IIII", blob, offset)
    if magic != FDT_MAGIC or total < 40 or offset + total > len(blob):
        return None
    return total, off_struct, off_strings


def parse(blob, offset=0):
    """The root Node of the tree at offset; ValueError if it is not one."""
    hdr = header(blob, offset)
    if hdr is None:
        raise ValueError(f"no device tree at offset {offset:#x}")
    _, off_struct, off_strings = hdr
    pos = offset + off_struct
    strings = offset + off_strings
    stack = []
    root = None
    while True:
        (token,) = struct.unpack_from(">I", blob, pos)
        pos += 4
        if token == BEGIN_NODE:
            end = blob.index(b"\0", pos)
            node = Node(blob[pos:end].decode())
            pos = (end + 4) & ~3
            if stack:
                stack[-1].children[node.name] = node
            else:
                root = node
            stack.append(node)
        elif token == END_NODE:
            stack.pop()
        elif token == PROP:
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            name_end = blob.index(b"\0", strings + nameoff)
            name = blob[strings + nameoff:name_end].decode()
            stack[-1].props[name] = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
        elif token == NOP:
            continue
        elif token == END:
            return root
        else:
            raise ValueError(f"bad token {token} at {pos - 4:#x}")


def find_all(blob):
    """Every (offset, root) of a well-formed tree embedded in blob."""
    found = []
    start = 0
    magic = struct.pack(">I", FDT_MAGIC)
    while True:
        at = blob.find(magic, start)
        if at < 0:
            return found
        start = at + 4
        try:
            found.append((at, parse(blob, at)))
        except (ValueError, struct.error, IndexError, UnicodeDecodeError):
            continue
