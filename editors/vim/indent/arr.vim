" Vim indent file for Arr: a line is indented one 'shiftwidth' more than the line holding
" the innermost bracket ({, ( or [) still open before it; a line that starts with a closing
" bracket lines up with the line that opened it. Brackets in strings and comments do not
" count (when syntax highlighting is on).

if exists("b:did_indent")
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetArrIndent(v:lnum)
setlocal indentkeys=0},0),0],!^F,o,O,e
setlocal autoindent nosmartindent nocindent

let b:undo_indent = "setlocal indentexpr< indentkeys< autoindent< smartindent< cindent<"

if exists("*GetArrIndent")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

let s:skip = "synIDattr(synID(line('.'), col('.'), 0), 'name') =~# '^arr\\%(String\\|Escape\\|EscapeError\\|Comment\\|Todo\\)$'"

function! GetArrIndent(lnum) abort
  let save = getcurpos()
  try
    call cursor(a:lnum, 1)
    let [l, c] = searchpairpos('[({[]', '', '[)}\]]', 'bnW', s:skip)
  finally
    call setpos('.', save)
  endtry
  if l <= 0
    return 0
  endif
  if getline(a:lnum) =~# '^\s*[)}\]]'
    return indent(l)
  endif
  return indent(l) + shiftwidth()
endfunction

let &cpo = s:cpo_save
unlet s:cpo_save
