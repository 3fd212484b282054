#!/usr/bin/perl
# A unix-socket relay that counts connections: every client accepted on
# LISTEN_PATH (mode 0666) is connected to TARGET_PATH and the bytes are
# copied both ways until either side closes. COUNT_FILE holds the number
# of accepts so far (written anew after each one). The bench puts it in
# front of Dovecot's dict socket to count the plugin's dict connections.
# usage: counting-relay.pl LISTEN_PATH TARGET_PATH COUNT_FILE
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Select;
use Socket qw(SOCK_STREAM);

my ($listen, $target, $count_file) = @ARGV;
die "usage: counting-relay.pl LISTEN_PATH TARGET_PATH COUNT_FILE\n"
	unless defined $count_file;
$SIG{CHLD} = 'IGNORE';
unlink $listen;
my $srv = IO::Socket::UNIX->new(Local => $listen, Type => SOCK_STREAM,
	Listen => 64) or die "listen: $!\n";
chmod 0666, $listen;

sub write_count {
	open(my $fh, '>', "$count_file.tmp") or die "$count_file.tmp: $!\n";
	print $fh "$_[0]\n";
	close($fh);
	rename("$count_file.tmp", $count_file) or die "rename: $!\n";
}

# relay A B: copy both ways until one side ends, in a child of its own;
# a child also ends within a second of the relay itself (its parent).
my $parent = $$;
sub relay {
	my ($a, $b) = @_;
	my $sel = IO::Select->new($a, $b);
	while (getppid() == $parent) {
		for my $from ($sel->can_read(1)) {
			my $to = $from == $a ? $b : $a;
			my $n = sysread($from, my $buf, 65536);
			return unless $n;
			my $off = 0;
			while ($off < $n) {
				my $w = syswrite($to, $buf, $n - $off, $off);
				return unless $w;
				$off += $w;
			}
		}
	}
}

my $n = 0;
write_count(0);
while (1) {
	my $c = $srv->accept() or next;
	write_count(++$n);
	my $pid = fork();
	die "fork: $!\n" unless defined $pid;
	if ($pid == 0) {
		close($srv);
		my $t = IO::Socket::UNIX->new(Peer => $target,
			Type => SOCK_STREAM) or exit 0;
		relay($c, $t);
		exit 0;
	}
	close($c);
}
