" Arr source files. Vim's own filetype.vim calls *.arr Pyret files; `set filetype` (rather
" than `setfiletype`) overrides that for as long as this plugin is installed.
autocmd BufNewFile,BufRead *.arr set filetype=arr
