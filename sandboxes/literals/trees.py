"""Values and calls in the languages tree-sitter has a grammar for on PyPI (one wheel each).

The answer is parsed in a neutral expression context (`auto harness_x = <answer>;`), must be
exactly one node of the tree (so nothing of it reaches outside: no second statement, no comment,
no unbalanced bracket) and the tree must have no error. Then every node under it is checked
against the language's whitelist, built from the shapes of all 26,918 gold answers of CRUXEval-X
and reviewed by hand: named node types (literals, containers, constructor calls, casts), the
anonymous tokens (punctuation, `new`, unary `-`), and the text of every leaf that is not literal
content (identifiers: standard container and constructor names only). Anything else is code:
lambdas, blocks, operators, member calls, string interpolation that runs code, names of the
process or the runtime. The whitelist is deny-by-default, so a trick the list never heard of is
rejected.
"""

from __future__ import annotations

import functools
import importlib
import re
import warnings
from dataclasses import dataclass, field, replace

from harness.errors import HarnessError

_LITERAL_LEAVES = frozenset({
    "number_literal", "string_content", "escape_sequence", "true", "false", "decimal_integer_literal",
    "decimal_floating_point_literal", "string_fragment", "integer_literal", "real_literal",
    "boolean_literal", "null_literal", "string_literal_content", "interpreted_string_literal_content",
    "int_literal", "float_literal", "number", "undefined", "null", "nil", "integer", "float",
    "boolean", "floating_point_literal", "line_str_text", "str_escaped_char", "nil_literal",
    "content", "character_literal", "char_literal", "raw_string_literal", "hex_integer_literal",
    "raw_string",  # a single-quoted bash word: no expansion
    "string",  # Scala's plain string literal is one leaf (interpolated ones are another type)
})


@dataclass(frozen=True)
class Grammar:
    module: str
    wrap: tuple[str, str]           # the answer goes between these: an expression context
    types: frozenset[str]           # named node types allowed under the answer
    tokens: frozenset[str]          # anonymous tokens allowed
    names: frozenset[str]           # identifier texts allowed (value constructors, types)
    function: str = "language"      # the module's grammar function
    name_pattern: str = ""          # more identifier texts allowed (program-defined types)
    not_at_root: frozenset[str] = frozenset()  # types an answer may hold but not be
    call_types: frozenset[str] = field(default_factory=frozenset)  # what an input answer is
    labels: frozenset[str] = frozenset()  # node types whose identifiers are free (argument labels)
    constructors: bool = False      # calls of whitelisted names are values (`std::make_tuple(1, 2)`);
                                    # else a value holds no call at all


def _g(module: str, wrap: tuple[str, str], types: str, tokens: str, names: str, **kw) -> Grammar:
    return Grammar(module, wrap, frozenset(types.split()), frozenset(tokens.split()),
                   frozenset(names.split()), **{k: frozenset(v.split()) if k in ("not_at_root", "call_types", "labels")
                                                and not isinstance(v, bool)
                                                else v for k, v in kw.items()})


_P = "( ) [ ] { } , - \" '"  # punctuation of literals everywhere

GRAMMARS: dict[str, Grammar] = {
    "cpp": _g("tree_sitter_cpp", ("auto harness_x = ", ";"),
              "call_expression argument_list parenthesized_expression initializer_list cast_expression "
              "number_literal type_descriptor sized_type_specifier qualified_identifier template_function "
              "template_argument_list identifier namespace_identifier template_type type_identifier "
              "string_literal string_content true false primitive_type escape_sequence char_literal "
              "character unary_expression null nullptr",
              f"{_P} long int unsigned short signed < > :: nullptr",
              "std vector map unordered_map set unordered_set tuple make_tuple pair make_pair string "
              "optional nullopt make_optional any variant float double int long bool char size_t",
              name_pattern=r"Union_\w+", call_types="call_expression", constructors=True),
    "cs": _g("tree_sitter_c_sharp", ("class H { object harness_x = ", "; }"),
             "invocation_expression argument_list argument parenthesized_expression "
             "object_creation_expression array_creation_expression initializer_expression "
             "cast_expression integer_literal predefined_type array_type array_rank_specifier "
             "generic_name type_argument_list identifier member_access_expression string_literal "
             "string_literal_content boolean_literal prefix_unary_expression escape_sequence "
             "real_literal null_literal character_literal character_literal_content tuple_expression",
             f"{_P} new < > . true false null",
             "List Tuple Dictionary Create HashSet KeyValuePair ValueTuple Nullable string long int "
             "float double bool char object", call_types="invocation_expression", constructors=True),
    "go": _g("tree_sitter_go", ("package h\nvar harness_x = ", "\n"),
             "expression_list interpreted_string_literal interpreted_string_literal_content "
             "composite_literal literal_value literal_element slice_type type_identifier int_literal "
             "interface_type keyed_element map_type false true unary_expression float_literal "
             "escape_sequence raw_string_literal raw_string_literal_content nil rune_literal "
             "array_type implicit_length_array_type call_expression argument_list identifier",
             f"{_P} interface map : ` nil",
             "int int64 int32 string float64 float32 bool rune byte uint",
             call_types="call_expression"),
    "java": _g("tree_sitter_java", ("class H { Object harness_x = ", "; }"),
               "method_invocation argument_list parenthesized_expression object_creation_expression "
               "cast_expression decimal_integer_literal integral_type identifier generic_type "
               "type_arguments type_identifier string_literal string_fragment false true "
               "unary_expression escape_sequence decimal_floating_point_literal floating_point_type "
               "boolean_type character_literal null_literal",
               f"{_P} long int float double boolean char . < > new null",
               "Arrays asList Map of Pair with String Long Integer ArrayList HashMap Float Double "
               "Boolean Character Optional empty List Triplet Quartet Set HashSet",
               call_types="method_invocation", constructors=True),
    "js": _g("tree_sitter_javascript", ("harness_x = ", ";"),
             "call_expression arguments array number identifier object pair undefined string "
             "string_fragment false true template_string unary_expression escape_sequence null",
             f"{_P} : ` null",
             "NaN Infinity", call_types="call_expression"),
    "lua": _g("tree_sitter_lua", ("harness_x = ", ""),
              "expression_list function_call arguments table_constructor field number identifier "
              "string string_content false true escape_sequence unary_expression nil",
              f"{_P} = nil", "None", call_types="function_call"),
    "pl": _g("tree_sitter_perl", ("my $harness_x = ", ";"),
             "coderef_call_expression anonymous_array_expression list_expression number scalar "
             "varname anonymous_hash_expression undef_expression interpolated_string_literal "
             "string_content string_literal unary_expression escape_sequence array",
             f"{_P} -> $ undef => @ not-interpolated",
             "", name_pattern=r"\w+", call_types="coderef_call_expression"),
    "php": _g("tree_sitter_php", ("<?php $harness_x = ", ";"),
              "function_call_expression arguments argument array_creation_expression "
              "array_element_initializer integer name encapsed_string string string_content "
              "boolean unary_op_expression float escape_sequence null",
              f"{_P} array => true false null", "", function="language_php",
              call_types="function_call_expression"),
    "rb": _g("tree_sitter_ruby", ("harness_x = ", "\n"),
             "call argument_list array integer identifier hash pair nil string string_content false "
             "true unary float interpolation global_variable escape_sequence",
             f"{_P} . nil => #{{ }}", "$$", call_types="call"),
    "rs": _g("tree_sitter_rust", ("fn h() { let harness_x = ", "; }"),
             "call_expression arguments macro_invocation token_tree integer_literal identifier "
             "string_literal string_content scoped_identifier tuple_expression array_expression "
             "generic_type type_arguments primitive_type type_identifier boolean_literal "
             "unary_expression float_literal escape_sequence char_literal unit_expression "
             "generic_function",
             f"{_P} ! :: < > ; true false",
             "from String vec HashMap new Vec isize f64 i64 i32 usize u8 u32 u64 bool char Some None "
             "HashSet BTreeMap to_string f32 str",
             call_types="call_expression", constructors=True),
    "scala": _g("tree_sitter_scala", ("object H { val harness_x = ", " }"),
                "call_expression arguments parenthesized_expression field_expression identifier "
                "integer_literal generic_function type_arguments type_identifier tuple_expression "
                "generic_type string boolean_literal infix_expression operator_identifier "
                "escape_sequence floating_point_literal character_literal null_literal",
                f"{_P} . true false null",
                "toLong List Map Long String Any Tuple2 Float Int Double Boolean Char Array Set "
                "Option Some None ArrayBuffer -> toInt toFloat toDouble Nil",
                not_at_root="infix_expression", call_types="call_expression", constructors=True),
    # bash: a value is one word that means itself (quoted, no expansion), as `[[ x = <value> ]]`
    # compares patterns: an unquoted glob would match anything
    "sh": _g("tree_sitter_bash", ("echo ", ""),
             "string string_content raw_string word number command_substitution command command_name",
             "\" ' $( )", "", function="language", call_types="command_substitution"),
    "jl": _g("tree_sitter_julia", ("harness_x = ", ""),
             "call_expression argument_list vector_expression integer_literal identifier "
             "tuple_expression string_literal content parametrized_type_expression curly_expression "
             "boolean_literal binary_expression operator unary_expression float_literal escape_sequence "
             "character_literal",
             f"{_P} true false",
             "Dict Vector Int64 String nothing Float64 Any Tuple Set Char Bool Int => -",
             not_at_root="binary_expression", call_types="call_expression", constructors=True),
    "swift": _g("tree_sitter_swift", ("let harness_x = ", ""),
                "call_expression call_suffix value_arguments value_argument array_literal "
                "integer_literal value_argument_label simple_identifier tuple_expression "
                "line_string_literal line_str_text as_expression array_type user_type type_identifier "
                "as_operator boolean_literal dictionary_literal dictionary_type prefix_expression "
                "str_escaped_char real_literal nil_literal",
                f"{_P} : as . true false nil lazy",
                "Int String AnyHashable Double Bool Character success failure",
                call_types="call_expression", labels="value_argument_label", constructors=True),
}

# TypeScript's values are JavaScript's (a type assertion `as T` is not a value)
GRAMMARS["ts"] = replace(GRAMMARS["js"], module="tree_sitter_typescript", function="language_typescript")

#: bash words (unquoted) that mean themselves: no glob, expansion, quote, operator or space
_SH_WORD = re.compile(r"[A-Za-z0-9_.,:/+%@=-]+")


@functools.lru_cache(maxsize=None)
def _parser(language: str):
    grammar = GRAMMARS[language]
    try:
        from tree_sitter import Language, Parser

        module = importlib.import_module(grammar.module)
    except ImportError as exc:
        from harness.extras import install_line

        raise HarnessError(f"the answer check for {language} needs the tree-sitter grammar "
                           f"{grammar.module} ({exc.name} is not installed)", install_line("cruxeval")) from None
    with warnings.catch_warnings():  # tree_sitter_perl still hands over an int pointer
        warnings.simplefilter("ignore", DeprecationWarning)
        return Parser(Language(getattr(module, grammar.function)()))


def _root(language: str, text: str):
    """((source bytes, the outermost node that is exactly the answer, the innermost one), None)
    or (None, why not)."""
    grammar = GRAMMARS[language]
    pre, post = grammar.wrap
    source = (pre + text + post).encode()
    tree = _parser(language).parse(source)
    if tree.root_node.has_error:
        return None, "not_parsed"
    start, end = len(pre.encode()), len(pre.encode()) + len(text.encode())
    inner = node = tree.root_node.descendant_for_byte_range(start, end)
    while node is not None and node.parent is not None and \
            (node.parent.start_byte, node.parent.end_byte) == (start, end):
        node = node.parent
    if node is None or (node.start_byte, node.end_byte) != (start, end):
        return None, "not_one_expression"
    while inner.named_child_count == 1 and inner.child_count == 1:  # through expression_list & co
        inner = inner.children[0]
    return (source, node, inner), None


def _is_name(n) -> bool:
    """A leaf that names something (checked against the whitelist), not literal content."""
    return n.is_named and n.child_count == 0 and n.type not in _LITERAL_LEAVES


def _walk(language: str, source: bytes, node, allowed_names: frozenset[str]) -> str | None:
    grammar = GRAMMARS[language]
    stack = [node]
    while stack:
        n = stack.pop()
        text = source[n.start_byte:n.end_byte].decode("utf-8", "replace")
        if n.is_named:
            if n.type not in grammar.types:
                return f"not_a_value:{n.type}"
            if _is_name(n) and text not in allowed_names and n.parent.type not in grammar.labels \
                    and not (grammar.name_pattern and re.fullmatch(grammar.name_pattern, text)):
                return f"name:{text[:40]}"
        elif n.type not in grammar.tokens and not (n.type == text and text.strip() == ""):
            return f"token:{n.type[:20]}"
        stack.extend(n.children)
    return None


def _sh_words(source: bytes, node) -> str | None:
    """Bash: each word is a quoted string without expansions, or a plain word (no glob)."""
    for n in node.children:
        text = source[n.start_byte:n.end_byte].decode("utf-8", "replace")
        if n.type == "word" and not _SH_WORD.fullmatch(text):
            return "glob_or_expansion"
        if n.type == "string" and any(c.type != "string_content" and c.is_named for c in n.children):
            return "string_expansion"
    return None


def value_problem(language: str, text: str, fn_names: tuple[str, ...] = ()) -> str | None:
    """None when `text` is one value; fn_names (the function under test) may not appear in it."""
    found, why = _root(language, text)
    if found is None:
        return why
    source, node, inner = found
    grammar = GRAMMARS[language]
    if inner.type in grammar.not_at_root:
        return f"operator_outside_value:{inner.type}"
    if _count_names(source, node, set(fn_names)) or (not grammar.constructors and _has_type(node, grammar.call_types)):
        return "calls_function"
    if language == "sh":
        if inner.type not in ("string", "raw_string", "word", "number") or node.parent.type != "command":
            return "not_one_word"
        return _sh_words(source, node.parent) or _walk(language, source, node, grammar.names)
    return _walk(language, source, node, grammar.names)


def call_problem(language: str, text: str, head: str, fn_names: tuple[str, ...]) -> str | None:
    """`text` must be one call that starts with `head` (`candidate(`, `$candidate->(`,
    `candidate.call(`, `$(candidate `), naming the function under test once, with values as
    arguments."""
    if not text.startswith(head):
        return "not_a_call"
    found, why = _root(language, text)
    if found is None:
        return why
    source, node, inner = found
    grammar = GRAMMARS[language]
    if inner.type not in grammar.call_types:
        return "not_a_single_call"
    uses = _count_names(source, node, set(fn_names))
    if uses != 1:
        return "calls_function_twice" if uses > 1 else "not_a_call"
    if language == "sh":
        command = next((c for c in inner.children if c.type == "command"), None)
        if command is None or len([c for c in inner.children if c.is_named]) != 1:
            return "not_a_single_call"
        args = [c for c in command.children if c.type != "command_name"]
        for arg in args:
            if arg.type not in ("string", "raw_string", "word", "number"):
                return f"not_a_value:{arg.type}"
        return _sh_words(source, command) or _walk(language, source, node, grammar.names | set(fn_names))
    names = grammar.names | set(fn_names) | ({"call"} if language == "rb" else set())
    return _walk(language, source, node, frozenset(names))


def _has_type(node, types: frozenset[str]) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in types:
            return True
        stack.extend(n.children)
    return False


def _count_names(source: bytes, node, names: set[str]) -> int:
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        if _is_name(n) and source[n.start_byte:n.end_byte].decode("utf-8", "replace") in names:
            count += 1
        stack.extend(n.children)
    return count
