" Vim filetype plugin for Arr: comments, formatting, matching brackets.

if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

let s:cpo_save = &cpo
set cpo&vim

setlocal commentstring=#\ %s
setlocal comments=:#
setlocal formatoptions-=t formatoptions+=croql
setlocal suffixesadd=.arr
setlocal matchpairs=(:),[:],{:}
setlocal expandtab shiftwidth=4 softtabstop=4

let b:undo_ftplugin = "setlocal commentstring< comments< formatoptions< suffixesadd<"
      \ . " matchpairs< expandtab< shiftwidth< softtabstop<"

let &cpo = s:cpo_save
unlet s:cpo_save
