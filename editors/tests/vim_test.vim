" Loads editors/vim (ftdetect, ftplugin, syntax, indent) into a bare Vim, then checks the
" highlighting and indentation of sample.arr. Run by editors/test.sh as
"   vim -N -u NONE -i NONE -n -es -S editors/tests/vim_test.vim
" With $ARR_SYNTAX_JSON naming a file holding `arr --dump-syntax`, it also checks that every
" name in it gets its highlight group. Exits 0 when all is well, 1 otherwise. The report goes
" to the file $ARR_TEST_LOG when set (test.sh prints it), else to /dev/stderr.

let s:editors = fnamemodify(expand('<sfile>'), ':p:h:h')
let s:failures = []

function! s:Fail(msg) abort
  call add(s:failures, a:msg)
endfunction

function! s:Finish() abort
  let log = $ARR_TEST_LOG !=# '' ? $ARR_TEST_LOG : '/dev/stderr'
  if !empty(s:failures)
    call writefile(['vim: ' . len(s:failures) . ' failure(s):']
          \ + map(copy(s:failures), '"  " . v:val'), log, 'a')
    cquit
  endif
  call writefile(['vim: ok (' . s:checks . ' checks)'], log, 'a')
  qall!
endfunction

let s:checks = 0
function! s:Expect(what, got, want) abort
  let s:checks += 1
  if a:got !=# a:want
    call s:Fail(a:what . ': got ' . string(a:got) . ', want ' . string(a:want))
  endif
endfunction

function! s:GroupAt(lnum, col) abort
  return synIDattr(synID(a:lnum, a:col, 1), 'name')
endfunction

" --- load the plugin files as a user would: runtimepath, filetype detection, syntax
try
  let v:errmsg = ''
  let &runtimepath = s:editors . '/vim,' . &runtimepath
  filetype plugin indent on
  syntax on
  execute 'edit' fnameescape(s:editors . '/tests/sample.arr')
  if v:errmsg !=# ''
    call s:Fail('error while loading: ' . v:errmsg)
  endif
catch
  call s:Fail('exception while loading: ' . v:exception . ' at ' . v:throwpoint)
  call s:Finish()
endtry

call s:Expect('filetype', &filetype, 'arr')
call s:Expect('b:current_syntax', get(b:, 'current_syntax', ''), 'arr')
call s:Expect('commentstring', &commentstring, '# %s')
call s:Expect('indentexpr', &indentexpr, 'GetArrIndent(v:lnum)')

" --- highlighting of sample.arr: [text to find, offset into it, group]
let s:cases = [
      \ ['# sample.arr', 0, 'arrComment'],
      \ ['fn lj', 0, 'arrDefine'],
      \ ['lj(r2)', 0, 'arrFunctionName'],
      \ ['** 3', 0, 'arrOperator'],
      \ ['f64[n, 3]', 0, 'arrType'],
      \ ['-> f64', 0, 'arrOperator'],
      \ ['newaxis, :]', 0, 'arrConstant'],
      \ ['sum(axis', 0, 'arrBuiltin'],
      \ ['if v > 0', 0, 'arrConditional'],
      \ ['else if', 0, 'arrConditional'],
      \ ['"positive"', 0, 'arrString'],
      \ ['apply(|b|', 0, 'arrFunctionCall'],
      \ ['random.normal', 0, 'arrModule'],
      \ ['normal(', 0, 'arrModuleMember'],
      \ ['maximum(x', 0, 'arrBuiltin'],
      \ ['for i in', 0, 'arrRepeat'],
      \ ['in range', 0, 'arrRepeat'],
      \ ['range(10)', 0, 'arrBuiltin'],
      \ ['{ in a comment', 0, 'arrComment'],
      \ ['} in a string', 0, 'arrString'],
      \ ['1_000_000', 0, 'arrNumber'],
      \ ['0x1f', 0, 'arrNumber'],
      \ ['1e-6', 0, 'arrFloat'],
      \ ['2. +', 0, 'arrFloat'],
      \ ['+ .5', 2, 'arrFloat'],
      \ ['shape, x.T', 0, 'arrAttribute'],
      \ ['T.dtype', 0, 'arrAttribute'],
      \ ['dtype, label', 0, 'arrAttribute'],
      \ ['pi, true', 0, 'arrConstant'],
      \ ['true)', 0, 'arrBoolean'],
      \ ['print(', 0, 'arrBuiltin'],
      \ ]
for [s:text, s:offset, s:group] in s:cases
  call cursor(1, 1)
  let [s:l, s:c] = searchpos('\V' . escape(s:text, '\'), 'cW')
  if s:l == 0
    call s:Fail('sample.arr has no ' . string(s:text))
    continue
  endif
  call s:Expect('group of ' . string(s:text) . ' at ' . s:l . ':' . (s:c + s:offset),
        \ s:GroupAt(s:l, s:c + s:offset), s:group)
endfor

" --- indentation: re-indent a flush-left copy; it must come back as sample.arr is
let s:want = getline(1, '$')
enew!
setlocal filetype=arr
call setline(1, map(copy(s:want), 'substitute(v:val, "^\\s\\+", "", "")'))
normal! gg=G
let s:got = getline(1, '$')
for s:i in range(len(s:want))
  call s:Expect('indent of sample.arr:' . (s:i + 1), s:got[s:i], s:want[s:i])
endfor

" --- every name of `arr --dump-syntax`
let s:json = $ARR_SYNTAX_JSON
if s:json !=# '' && filereadable(s:json)
  let s:names = json_decode(join(readfile(s:json), "\n"))
  let s:keyword_groups = ['arrConditional', 'arrRepeat', 'arrStatement', 'arrKeyword',
        \ 'arrInclude', 'arrDefine', 'arrBoolean', 'arrOperatorWord']
  enew!
  setlocal filetype=arr
  let s:lines = []
  let s:expect = []
  for s:k in s:names.keywords
    call add(s:lines, 'x = ' . s:k)
    call add(s:expect, [5, 'keyword'])
  endfor
  for s:b in s:names.builtins
    if s:b =~# '\.'
      let [s:m, s:f] = split(s:b, '\.')
      call add(s:lines, 'x = ' . s:m . '.' . s:f . '(y)')
      call add(s:expect, [5 + len(s:m) + 1, 'arrModuleMember'])
      call add(s:lines, 'x = ' . s:m . '.' . s:f . '(y)')
      call add(s:expect, [5, 'arrModule'])
    else
      call add(s:lines, 'x = ' . s:b . '(y)')
      call add(s:expect, [5, 'arrBuiltin'])
    endif
  endfor
  for [s:key, s:group] in [['prelude', 'arrPrelude'], ['constants', 'arrConstant'], ['dtypes', 'arrType']]
    for s:n in s:names[s:key]
      call add(s:lines, 'x = ' . s:n)
      call add(s:expect, [5, s:group])
    endfor
  endfor
  for s:a in s:names.attributes
    call add(s:lines, 'x = y.' . s:a)
    call add(s:expect, [7, 'arrAttribute'])
  endfor
  call setline(1, s:lines)
  for s:i in range(len(s:lines))
    let [s:col, s:group] = s:expect[s:i]
    let s:got = s:GroupAt(s:i + 1, s:col)
    if s:group ==# 'keyword'
      let s:checks += 1
      if index(s:keyword_groups, s:got) < 0
        call s:Fail(string(s:lines[s:i]) . ': got ' . string(s:got) . ', want a keyword group')
      endif
    else
      call s:Expect(string(s:lines[s:i]), s:got, s:group)
    endif
  endfor
elseif s:json !=# ''
  call s:Fail('ARR_SYNTAX_JSON=' . s:json . ' is not readable')
endif

call s:Finish()
